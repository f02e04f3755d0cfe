import Foundation
import Hummingbird
import Shared

/// `/api/v1/candidates`: the organization's candidates.
struct CandidateController: Sendable {
    let candidates: CandidateRepository

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/candidates", .candidatesRead, use: list)
        routes.post("/api/v1/candidates", .candidatesWrite, use: create)
        routes.get("/api/v1/candidates/{id}", .candidatesRead, use: get)
        routes.patch("/api/v1/candidates/{id}", .candidatesWrite, use: update)
        routes.delete("/api/v1/candidates/{id}", .candidatesWrite, use: delete)
    }

    /// Newest first, filtered by `search`, `campaignId` and `tags` (comma-separated, all must match).
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<CandidateView> {
        var tags: [String]?
        if let raw = try request.textFilter("tags", max: 1000) {
            var v = FieldValidator()
            tags = v.strings(raw.split(separator: ",").map(String.init), "tags", maxCount: 20, maxLength: 50)
            try v.check()
        }
        let filters = CandidateRepository.Filters(
            search: try request.textFilter("search"), campaignId: try request.uuidFilter("campaignId"), tags: tags
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await candidates.list(organizationId: try context.organizationId, filters: filters, page: page)
        return Page(data: items.map(CandidateView.init), request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CandidateView> {
        let input = try await request.decodeJSON(as: CandidateInput.self, context: context)
        let candidate = try input.apply(to: nil, id: UUID(), now: Date())
        try await candidates.create(candidate, organizationId: try context.organizationId)
        return created(CandidateView(candidate), at: "/api/v1/candidates/\(candidate.id.apiString)")
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> CandidateView {
        let id = try context.parameters.uuid("id")
        guard let candidate = try await candidates.find(id: id, organizationId: try context.organizationId) else { throw Self.notFound }
        return CandidateView(candidate)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> CandidateView {
        let id = try context.parameters.uuid("id")
        let input = try await request.decodeJSON(as: CandidateInput.self, context: context)
        let now = Date()
        guard let candidate = try await candidates.update(id: id, organizationId: try context.organizationId, { try input.apply(to: $0, id: id, now: now) }) else {
            throw Self.notFound
        }
        return CandidateView(candidate)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.uuid("id")
        guard try await candidates.delete(id: id, organizationId: try context.organizationId) else { throw Self.notFound }
        return .noContent
    }

    static let notFound = APIError.notFound("Candidate not found")
}
