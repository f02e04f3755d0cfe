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
        routes.get("/api/v1/jobs/{id}", .jobsRead, use: get)
        routes.patch("/api/v1/jobs/{id}", .jobsWrite, use: update)
        routes.delete("/api/v1/jobs/{id}", .jobsWrite, use: delete)
    }

    /// Newest first, filtered by `status`, `department` and `workMode`.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<JobView> {
        let filters = JobRepository.Filters(
            status: try request.enumFilter("status", as: Job.Status.self),
            department: try request.textFilter("department"),
            workMode: try request.enumFilter("workMode", as: Job.WorkMode.self)
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await jobs.list(organizationId: try context.organizationId, filters: filters, page: page)
        return Page(data: items.map(JobView.init), request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<JobView> {
        let input = try await request.decodeJSON(as: JobInput.self, context: context)
        let job = try input.apply(to: nil, id: UUID(), now: Date())
        try await jobs.create(job, organizationId: try context.organizationId)
        return created(JobView(job), at: "/api/v1/jobs/\(job.id.apiString)")
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> JobView {
        let id = try context.parameters.uuid("id")
        guard let job = try await jobs.find(id: id, organizationId: try context.organizationId) else { throw Self.notFound }
        return JobView(job)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> JobView {
        let id = try context.parameters.uuid("id")
        let input = try await request.decodeJSON(as: JobInput.self, context: context)
        let now = Date()
        guard let job = try await jobs.update(id: id, organizationId: try context.organizationId, { try input.apply(to: $0, id: id, now: now) }) else {
            throw Self.notFound
        }
        return JobView(job)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.uuid("id")
        guard try await jobs.delete(id: id, organizationId: try context.organizationId) else { throw Self.notFound }
        return .noContent
    }

    static let notFound = APIError.notFound("Job not found")
}
