import Foundation
import Hummingbird
import Shared

/// `/api/v1/stages`: the steps of the organization's campaigns.
struct StageController: Sendable {
    let stages: StageRepository
    let interviews: any InterviewsFactsSource

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/stages", .stagesRead, use: list)
        routes.post("/api/v1/stages", .stagesWrite, use: create)
        routes.get("/api/v1/stages/{id}", .stagesRead, use: get)
        routes.patch("/api/v1/stages/{id}", .stagesWrite, use: update)
        routes.delete("/api/v1/stages/{id}", .stagesWrite, use: delete)
    }

    /// The stages of `?campaignId=` (required), in order.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<StageView> {
        guard let campaignId = try request.uuidFilter("campaignId") else {
            throw APIError.invalidField("campaignId", "is required: stages are listed per campaign")
        }
        let page = try PageRequest(from: request)
        let (items, total) = try await stages.list(campaignId: campaignId, organizationId: context.organizationId, page: page)
        return Page(data: items.map(StageView.init), request: page, total: total)
    }

    /// Inserts a stage at `position` (default last); the others shift to keep positions dense.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<StageView> {
        let input = try await request.decodeJSON(as: StageInput.self, context: context)
        let (draft, position) = try input.apply(to: nil, id: UUID(), now: Date())
        try await interviews.check(agentId: draft.agentId, testId: draft.testId, context: context)
        let stage = try await stages.create(draft, position: position, organizationId: context.organizationId)
        return created(StageView(stage), at: "/api/v1/stages/\(stage.id.apiString)")
    }

    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> StageView {
        let id = try context.parameters.uuid("id")
        guard let stage = try await stages.find(id: id, organizationId: context.organizationId) else { throw Self.notFound }
        return StageView(stage)
    }

    /// Changes fields; a new `position` moves the stage and shifts those in between; a new
    /// `agentId` or `testId` must be the organization's.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> StageView {
        let id = try context.parameters.uuid("id")
        let input = try await request.decodeJSON(as: StageInput.self, context: context)
        try await interviews.check(agentId: input.agentId.value, testId: input.testId.value, context: context)
        let now = Date()
        guard let stage = try await stages.update(id: id, organizationId: context.organizationId, { try input.apply(to: $0, id: id, now: now) })
        else {
            throw Self.notFound
        }
        return StageView(stage)
    }

    /// Deletes an empty stage; the later ones move up.
    @Sendable func delete(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.uuid("id")
        guard try await stages.delete(id: id, organizationId: context.organizationId) else { throw Self.notFound }
        return .noContent
    }

    static let notFound = APIError.notFound("Stage not found")
}
