import Foundation
import Hummingbird
import Shared

/// `/api/v1/tests`: the organization's tests and their assignments to candidates.
struct CandidateTestController: Sendable {
    let tests: CandidateTestRepository
    let catalog: any CatalogFactsSource

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/tests", .testsRead, use: list)
        routes.post("/api/v1/tests", .testsWrite, use: create)
        routes.getItem("/api/v1/tests/{id}", .testsRead, from: tests, as: CandidateTestView.init, notFound: Self.notFound)
        routes.patchItem(
            "/api/v1/tests/{id}", .testsWrite, in: tests, with: CandidateTestInput.self, as: CandidateTestView.init, notFound: Self.notFound)
        routes.deleteItem("/api/v1/tests/{id}", .testsWrite, from: tests, notFound: Self.notFound)
        routes.post("/api/v1/tests/{id}/assign", .testsWrite, use: assign)
        routes.get("/api/v1/tests/{id}/assignments", .testsRead, use: assignments)
    }

    /// Newest first, filtered by `type`, `difficulty` and `isPublished`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<CandidateTestView> {
        var isPublished: Bool?
        if let raw = request.uri.queryParameters["isPublished"] {
            guard raw == "true" || raw == "false" else { throw APIError.invalidField("isPublished", "must be true or false") }
            isPublished = raw == "true"
        }
        let filters = CandidateTestRepository.Filters(
            type: try request.enumFilter("type", as: CandidateTest.Kind.self),
            difficulty: try request.enumFilter("difficulty", as: CandidateTest.Difficulty.self),
            isPublished: isPublished
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await tests.list(organizationId: context.organizationId, filters: filters, page: page)
        return Page(data: items.map(CandidateTestView.init), request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<CandidateTestView> {
        let input = try await request.decodeJSON(as: CandidateTestInput.self, context: context)
        let test = try input.apply(to: nil, id: UUID(), now: Date())
        try await tests.create(test, organizationId: context.organizationId)
        return created(CandidateTestView(test), at: "/api/v1/tests/\(test.id.apiString)")
    }

    /// Assigns a published test to a candidate of the organization (checked with the catalog).
    @Sendable func assign(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<AssignmentView> {
        let id = try context.parameters.uuid("id")
        let body = try await request.decodeJSON(as: AssignInput.self, context: context)
        let organizationId = context.organizationId
        guard try await tests.find(id: id, organizationId: organizationId) != nil else { throw Self.notFound }
        let facts = try await catalog.facts(
            organizationId: organizationId, candidateId: body.candidateId, stageId: body.stageId, requestId: context.requestId)
        guard facts.candidateExists == true else {
            throw APIError.unprocessable("CANDIDATE_NOT_FOUND", "candidateId does not name a candidate of this organization")
        }
        if body.stageId != nil, facts.stageExists != true {
            throw APIError.unprocessable("STAGE_NOT_FOUND", "stageId does not name a stage of this organization")
        }
        guard
            let assignment = try await tests.assign(
                testId: id, candidateId: body.candidateId, stageId: body.stageId, invite: body.sendInvite ?? true, organizationId: organizationId
            )
        else { throw Self.notFound }
        return created(AssignmentView(assignment), at: "/api/v1/tests/\(id.apiString)/assignments")
    }

    /// The test's assignments, newest first.
    @Sendable func assignments(_ request: Request, context: APIRequestContext) async throws -> Page<AssignmentView> {
        let id = try context.parameters.uuid("id")
        let organizationId = context.organizationId
        let page = try PageRequest(from: request)
        guard try await tests.find(id: id, organizationId: organizationId) != nil else { throw Self.notFound }
        let (items, total) = try await tests.assignments(testId: id, organizationId: organizationId, page: page)
        return Page(data: items.map(AssignmentView.init), request: page, total: total)
    }

    static let notFound = APIError.notFound("Test not found")
}
