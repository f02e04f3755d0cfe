import Foundation
import Hummingbird
import Shared

/// `/api/v1/jobs`: the organization's job openings.
struct JobController: Sendable {
    let jobs: JobRepository

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/jobs", .jobsRead, use: list)
        routes.post("/api/v1/jobs", .jobsWrite, use: create)
        routes.getItem("/api/v1/jobs/{id}", .jobsRead, from: jobs, as: JobView.init, notFound: Self.notFound)
        routes.patchItem("/api/v1/jobs/{id}", .jobsWrite, in: jobs, with: JobInput.self, as: JobView.init, notFound: Self.notFound)
        routes.deleteItem("/api/v1/jobs/{id}", .jobsWrite, from: jobs, notFound: Self.notFound)
    }

    /// Newest first, filtered by `status`, `department` and `workMode`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<JobView> {
        let filters = JobRepository.Filters(
            status: try request.enumFilter("status", as: Job.Status.self),
            department: try request.textFilter("department"),
            workMode: try request.enumFilter("workMode", as: Job.WorkMode.self)
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await jobs.list(organizationId: context.organizationId, filters: filters, page: page)
        return Page(data: items.map(JobView.init), request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<JobView> {
        let input = try await request.decodeJSON(as: JobInput.self, context: context)
        let job = try input.apply(to: nil, id: UUID(), now: Date())
        try await jobs.create(job, organizationId: context.organizationId)
        return created(JobView(job), at: "/api/v1/jobs/\(job.id.apiString)")
    }

    static let notFound = APIError.notFound("Job not found")
}
