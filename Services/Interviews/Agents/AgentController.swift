import Foundation
import Hummingbird
import Shared

/// `/api/v1/agents`: the organization's AI interviewers.
struct AgentController: Sendable {
    let agents: AgentRepository
    let catalog: any CatalogFactsSource

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/agents", .agentsRead, use: list)
        routes.post("/api/v1/agents", .agentsWrite, use: create)
        routes.getItem("/api/v1/agents/{id}", .agentsRead, from: agents, as: AgentView.init, notFound: Self.notFound)
        routes.patch("/api/v1/agents/{id}", .agentsWrite, use: update)
        routes.deleteItem("/api/v1/agents/{id}", .agentsWrite, from: agents, notFound: Self.notFound)
    }

    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<AgentView> {
        let page = try PageRequest(from: request)
        let (items, total) = try await agents.list(organizationId: context.organizationId, page: page)
        return Page(data: items.map(AgentView.init), request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<AgentView> {
        let input = try await request.decodeJSON(as: AgentInput.self, context: context)
        let agent = try input.apply(to: nil, id: UUID(), now: Date())
        try await checkJob(agent.jobId, context: context)
        try await agents.create(agent, organizationId: context.organizationId)
        return created(AgentView(agent), at: "/api/v1/agents/\(agent.id.apiString)")
    }

    /// Changes the fields sent; a new `jobId` must be a job of the organization.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> AgentView {
        let id = try context.parameters.uuid("id")
        let input = try await request.decodeJSON(as: AgentInput.self, context: context)
        if case .value(let jobId) = input.jobId { try await checkJob(jobId, context: context) }
        let now = Date()
        guard let agent = try await agents.update(id: id, organizationId: context.organizationId, { try input.apply(to: $0, id: id, now: now) })
        else {
            throw Self.notFound
        }
        return AgentView(agent)
    }

    /// 422 `JOB_NOT_FOUND` unless `jobId` is nil or a job of the caller's organization.
    func checkJob(_ jobId: UUID?, context: APIRequestContext) async throws {
        guard let jobId else { return }
        let facts = try await catalog.facts(organizationId: context.organizationId, jobId: jobId, requestId: context.requestId)
        guard facts.jobExists == true else { throw APIError.unprocessable("JOB_NOT_FOUND", "jobId does not name a job of this organization") }
    }

    static let notFound = APIError.notFound("Agent not found")
}
