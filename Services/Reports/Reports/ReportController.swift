import Foundation
import Hummingbird
import Shared

/// `/api/v1/reports`: read-only (`reports:read`); any other method is 405.
struct ReportController: Sendable {
    let reports: ReportRepository

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/reports", .reportsRead, use: list)
        routes.get("/api/v1/reports/{id}", .reportsRead) { _, context in try await find(.id, "id", context) }
        routes.get("/api/v1/reports/interviews/{interviewId}", .reportsRead) { _, context in try await find(.interview_id, "interviewId", context) }
        routes.get("/api/v1/reports/tests/{assignmentId}", .reportsRead) { _, context in try await find(.assignment_id, "assignmentId", context) }
    }

    /// Newest first, filtered by `candidateId`, `campaignId` and `type`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<ReportView> {
        let filters = ReportRepository.Filters(
            candidateId: try request.uuidFilter("candidateId"), campaignId: try request.uuidFilter("campaignId"),
            type: try request.enumFilter("type", as: Report.Kind.self)
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await reports.list(organizationId: context.organizationId, filters: filters, page: page)
        return Page(data: items.map(ReportView.init), request: page, total: total)
    }

    /// One report by its own id, its interview's or its assignment's; 404 until it exists.
    func find(_ lookup: ReportRepository.Lookup, _ parameter: String, _ context: APIRequestContext) async throws -> ReportView {
        let id = try context.parameters.uuid(parameter)
        guard let report = try await reports.find(lookup, id, organizationId: context.organizationId) else {
            throw APIError.notFound("No report (yet): a report exists once its interview or test is completed")
        }
        return ReportView(report)
    }
}
