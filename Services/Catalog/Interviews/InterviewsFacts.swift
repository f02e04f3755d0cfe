import Foundation
import Shared

/// What the catalog needs to know of the interviews service's data (is this agent, this test,
/// the organization's), never read from its tables.
protocol InterviewsFactsSource: Sendable {
    /// The facts about the ids given (nil ids are not asked about); 503 `SERVICE_UNAVAILABLE`
    /// when the interviews service cannot answer: that is never taken as a "no".
    func facts(organizationId: UUID, agentId: UUID?, testId: UUID?, requestId: String) async throws -> InterviewsFacts
}

/// The interviews service's answer: a field per id asked about.
struct InterviewsFacts: Decodable, Sendable, Equatable {
    var agentExists: Bool?
    var testExists: Bool?
}

extension InterviewsFactsSource {
    /// 422 `AGENT_NOT_FOUND` or `TEST_NOT_FOUND` unless each id given names an agent or test of
    /// the caller's organization; no question at all when neither is given.
    func check(agentId: UUID?, testId: UUID? = nil, context: APIRequestContext) async throws {
        guard agentId != nil || testId != nil else { return }
        let facts = try await facts(organizationId: context.organizationId, agentId: agentId, testId: testId, requestId: context.requestId)
        if agentId != nil, facts.agentExists != true {
            throw APIError.unprocessable("AGENT_NOT_FOUND", "agentId does not name an agent of this organization")
        }
        if testId != nil, facts.testExists != true {
            throw APIError.unprocessable("TEST_NOT_FOUND", "testId does not name a test of this organization")
        }
    }
}

/// `InterviewsFactsSource` over HTTP: the interviews service's `GET /internal/facts`.
struct HTTPInterviewsFacts: InterviewsFactsSource {
    let facts: InternalFacts

    init(client: InternalServiceClient) {
        facts = InternalFacts(client: client, service: "interviews service")
    }

    func facts(organizationId: UUID, agentId: UUID?, testId: UUID?, requestId: String) async throws -> InterviewsFacts {
        try await facts.ask(InterviewsFacts.self, organizationId: organizationId, ids: ["agentId": agentId, "testId": testId], requestId: requestId)
    }
}
