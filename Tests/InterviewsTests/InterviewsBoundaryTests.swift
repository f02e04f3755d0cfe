import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Interviews

@Suite("Interviews: scopes, tenants and an unreachable catalog")
struct InterviewsBoundaryTests {
    static func table() throws -> [ScopedRoute] {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        let catalog = HTTPCatalogFacts(
            client: InternalServiceClient(baseURL: "http://127.0.0.1:1", clientId: "x", clientSecret: "y", timeout: .seconds(1)))
        return buildRoutes(
            ScopedRoutes(router: Router(context: AppRequestContext.self)), postgres: postgres, catalog: catalog, logger: Logger(label: "test")
        ).table
    }

    @Test func theRouteTableNeedsTheResourcesScopes() throws {
        let table = try Self.table()
        #expect(!table.isEmpty)
        for route in table {
            let resource = route.path.split(separator: "/")[2]
            #expect(route.scope.rawValue.hasPrefix(resource + ":"), "\(route)")
            #expect(route.scope.rawValue.hasSuffix(route.method == .get ? ":read" : ":write"), "\(route)")
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheseRoutesAndScopes() throws {
        let documented = try OpenAPIDocument.operations(servedBy: "interviews")
        #expect(documented == Set(try Self.table().map(\.description)))
    }

    @Test func eachRouteRefusesAKeyLackingItsScopeAndAcceptsOneHoldingOnlyIt() async throws {
        let table = try Self.table()
        try await InterviewsHarness().run { client in
            try await ScopeMatrix.check(table, organization: try await client.keyService.newOrganization()) { method, path, key in
                try await client.call(method, path, key: key, body: [:])
            }
            #expect(try await client.call(.get, "/api/v1/interviews/not-a-uuid", key: nil).status == .unauthorized)
        }
    }

    @Test func anotherOrganizationSeesNothing() async throws {
        try await InterviewsHarness().run { client in
            let (_, owner) = try await client.organization()
            let (_, stranger) = try await client.organization()
            let (candidate, job, _) = try await client.catalogSetup(key: owner)
            let agent = try await client.create("/api/v1/agents", key: owner, ["name": "A"])["id"] as! String
            let test = try await client.create("/api/v1/tests", key: owner, ["title": "T", "isPublished": true])["id"] as! String
            let interview = try await client.create("/api/v1/interviews", key: owner, ["candidateId": candidate, "jobId": job])["id"] as! String
            for path in ["/api/v1/agents/\(agent)", "/api/v1/tests/\(test)", "/api/v1/interviews/\(interview)", "/api/v1/tests/\(test)/assignments"] {
                #expect(try await client.call(.get, path, key: stranger).status == .notFound, "\(path)")
            }
            #expect(try await client.call(.patch, "/api/v1/agents/\(agent)", key: stranger, body: ["name": "x"]).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/tests/\(test)", key: stranger).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/interviews/\(interview)/cancel", key: stranger).status == .notFound)
            #expect(try await client.call(.post, "/api/v1/tests/\(test)/assign", key: stranger, body: ["candidateId": candidate]).status == .notFound)
            // The owner's candidate and job are unknown to the stranger's organization.
            let foreign = try await client.call(.post, "/api/v1/interviews", key: stranger, body: ["candidateId": candidate, "jobId": job])
            #expect(apiError(foreign)?.code == "CANDIDATE_NOT_FOUND")
            let foreignAgent = try await client.call(
                .post, "/api/v1/interviews", key: stranger, body: ["candidateId": candidate, "jobId": job, "agentId": agent])
            #expect(apiError(foreignAgent)?.code == "AGENT_NOT_FOUND")
            for path in ["/api/v1/agents", "/api/v1/tests", "/api/v1/interviews"] {
                #expect(items(try await client.call(.get, path, key: stranger)).isEmpty, "\(path)")
            }
        }
    }

    @Test func anUnreachableCatalogIs503AndNothingIsCreated() async throws {
        let port = try freePort()
        try await InterviewsHarness(.catalogOverHTTP, environment: ["CATALOG_URL": "http://127.0.0.1:\(port)", "CATALOG_TIMEOUT_MS": "500"]).run {
            client in
            let (_, key) = try await client.organization()
            let response = try await client.call(
                .post, "/api/v1/interviews", key: key, body: ["candidateId": UUID().uuidString, "jobId": UUID().uuidString])
            #expect(response.status == .serviceUnavailable && response.headers[.retryAfter] != nil)
            #expect(apiError(response)?.code == "SERVICE_UNAVAILABLE")
            #expect(items(try await client.call(.get, "/api/v1/interviews", key: key)).isEmpty)
            // What needs no catalog fact keeps working.
            #expect(try await client.call(.post, "/api/v1/agents", key: key, body: ["name": "A"]).status == .created)
        }
    }

    @Test func wrongCatalogCredentialsAre503NotAnAnswer() async throws {
        try await InterviewsHarness(
            .real(try await CatalogFixture.shared.start()), environment: ["CATALOG_CLIENT_SECRET": "wrong-secret-0123456789abcdefghijklm"]
        ).run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, _) = try await client.catalogSetup(key: key)
            let response = try await client.call(.post, "/api/v1/interviews", key: key, body: ["candidateId": candidate, "jobId": job])
            #expect(response.status == .serviceUnavailable)
        }
    }
}
