import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `GET /internal/facts`: what the catalog may ask about an organization's agents and tests (is
/// this agent, this test, ours), so that a campaign or stage never names another organization's
/// and the catalog never reads these tables. Its own credentials (`FACTS_CLIENTS`), not the
/// agent runtime's.
struct FactsController: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Adds the route.
    func addRoutes(to internalRoutes: RouterGroup<InternalRequestContext>) {
        internalRoutes.facts(facts)
    }

    /// The answer: a field per id asked about, absent for ids not asked about.
    struct Facts: ResponseEncodable, Sendable {
        var agentExists: Bool?
        var testExists: Bool?
    }

    @Sendable func facts(organizationId: UUID, request: Request) async throws -> Facts {
        let agentId = try request.uuidFilter("agentId")
        let testId = try request.uuidFilter("testId")
        let rows = try await postgres.query(
            """
            SELECT
              EXISTS (SELECT 1 FROM agents WHERE organization_id = \(organizationId) AND id = \(agentId)),
              EXISTS (SELECT 1 FROM tests WHERE organization_id = \(organizationId) AND id = \(testId))
            """,
            logger: logger
        )
        guard let row = try await rows.collect().first else { throw APIError.internalError }
        let (agentExists, testExists) = try row.decode((Bool, Bool).self)
        return Facts(agentExists: agentId == nil ? nil : agentExists, testExists: testId == nil ? nil : testExists)
    }
}
