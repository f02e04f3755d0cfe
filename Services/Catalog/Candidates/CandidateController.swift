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
        routes.getItem("/api/v1/candidates/{id}", .candidatesRead, from: candidates, as: CandidateView.init, notFound: Self.notFound)
        routes.patchItem(
            "/api/v1/candidates/{id}", .candidatesWrite, in: candidates, with: CandidateInput.self, as: CandidateView.init, notFound: Self.notFound)
        routes.deleteItem("/api/v1/candidates/{id}", .candidatesWrite, from: candidates, notFound: Self.notFound)
    }

    /// Newest first, filtered by `search`, `campaignId` and `tags` (comma-separated, all must match).
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<CandidateView> {
        var tags: [String]?
        if let raw = try request.textFilter("tags", max: 1000) {
            // Blank entries (",," or a trailing comma) are ignored; each tag is at most 50 characters.
            let entries = raw.split(separator: ",").map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
            var v = FieldValidator()
            tags = v.strings(entries, "tags", maxCount: 20, maxLength: 50)
            try v.check()
        }
        let filters = CandidateRepository.Filters(
            search: try request.textFilter("search"), campaignId: try request.uuidFilter("campaignId"), tags: tags
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await candidates.list(organizationId: context.organizationId, filters: filters, page: page)
        return Page(data: items.map(CandidateView.init), request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<CandidateView> {
        let input = try await request.decodeJSON(as: CandidateInput.self, context: context)
        let candidate = try input.apply(to: nil, id: UUID(), now: Date())
        try await candidates.create(candidate, organizationId: context.organizationId)
        return created(CandidateView(candidate), at: "/api/v1/candidates/\(candidate.id.apiString)")
    }

    static let notFound = APIError.notFound("Candidate not found")
}
