import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Catalog

@Suite("Every catalog route checks its scope")
struct ScopeMatrixTests {
    /// The catalog's route table, as `buildRoutes` declares it.
    static func table() throws -> [ScopedRoute] {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        return buildRoutes(
            ScopedRoutes(router: Router(context: AppRequestContext.self)), postgres: postgres, interviews: FakeInterviews(),
            logger: Logger(label: "test")
        ).table
    }

    @Test func theTableCoversTheContractAndReadsNeedReadScopes() throws {
        let table = try Self.table()
        #expect(!table.isEmpty)
        for route in table {
            let resource = route.path.split(separator: "/")[2]
            #expect(route.scope.rawValue.hasPrefix(resource + ":"), "\(route)")
            #expect(route.scope.rawValue.hasSuffix(route.method == .get ? ":read" : ":write"), "\(route)")
        }
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheseRoutesAndScopes() throws {
        let documented = try OpenAPIDocument.operations(servedBy: "catalog")
        #expect(documented == Set(try Self.table().map(\.description)))
    }

    @Test func eachRouteRefusesAKeyLackingItsScopeAndAcceptsOneHoldingOnlyIt() async throws {
        let table = try Self.table()
        try await CatalogHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            var only: [Scope: String] = [:]
            var allBut: [Scope: String] = [:]
            for scope in Set(table.map(\.scope)) {
                only[scope] = try await organization.key([scope.rawValue]).key
                allBut[scope] = try await organization.key(Scope.allCases.filter { $0 != scope }.map(\.rawValue)).key
            }
            for route in table {
                let path = route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                    .replacingOccurrences(of: "{candidateId}", with: UUID().uuidString)
                let refused = try await client.call(route.method, path, key: allBut[route.scope], body: [:])
                #expect(refused.status == .forbidden, "\(route)")
                #expect(apiError(refused)?.requiredScope == route.scope.rawValue, "\(route)")
                let accepted = try await client.call(route.method, path, key: only[route.scope], body: [:])
                #expect(![.unauthorized, .forbidden].contains(accepted.status), "\(route): \(accepted.status)")
            }
        }
    }
}

@Suite("Tenant isolation: another organization's ids answer 404")
struct TenantIsolationTests {
    @Test func noResourceOfOneOrganizationIsVisibleToAnother() async throws {
        try await CatalogHarness().run { client in
            let (_, owner) = try await client.organization()
            let (_, stranger) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: owner, ["title": "Engineer", "status": "ACTIVE"])["id"] as! String
            let candidate = try await client.create("/api/v1/candidates", key: owner, ["email": "ada@example.com"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: owner, ["name": "Spring", "jobId": job])["id"] as! String
            let stage =
                try await client.create("/api/v1/stages", key: owner, ["campaignId": campaign, "name": "Screen", "type": "AI_INTERVIEW"])["id"]
                as! String
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: owner, ["candidateId": candidate])

            for path in [
                "/api/v1/jobs/\(job)", "/api/v1/candidates/\(candidate)", "/api/v1/campaigns/\(campaign)", "/api/v1/stages/\(stage)",
                "/api/v1/campaigns/\(campaign)/pipeline",
            ] {
                #expect(try await client.call(.get, path, key: stranger).status == .notFound, "GET \(path)")
            }
            for path in ["/api/v1/jobs/\(job)", "/api/v1/candidates/\(candidate)", "/api/v1/campaigns/\(campaign)", "/api/v1/stages/\(stage)"] {
                #expect(
                    try await client.call(.patch, path, key: stranger, body: ["name": "x", "title": "x", "email": "x@example.com"]).status
                        == .notFound, "PATCH \(path)")
                #expect(try await client.call(.delete, path, key: stranger).status == .notFound, "DELETE \(path)")
            }
            #expect(
                try await client.call(.patch, "/api/v1/campaigns/\(campaign)/candidates/\(candidate)", key: stranger, body: ["status": "HIRED"])
                    .status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/campaigns/\(campaign)/candidates/\(candidate)", key: stranger).status == .notFound)
            #expect(
                try await client.call(.post, "/api/v1/campaigns/\(campaign)/candidates", key: stranger, body: ["candidateId": candidate]).status
                    == .notFound)
            // References across organizations are refused as unknown.
            let foreignJob = try await client.call(.post, "/api/v1/campaigns", key: stranger, body: ["name": "Mine", "jobId": job])
            #expect(foreignJob.status == .unprocessableContent && apiError(foreignJob)?.code == "JOB_NOT_FOUND")
            let foreignCampaign = try await client.call(
                .post, "/api/v1/stages", key: stranger, body: ["campaignId": campaign, "name": "S", "type": "TEST"])
            #expect(foreignCampaign.status == .unprocessableContent && apiError(foreignCampaign)?.code == "CAMPAIGN_NOT_FOUND")
            // Lists are per organization; the stranger may reuse the same email.
            for path in [
                "/api/v1/jobs", "/api/v1/candidates", "/api/v1/campaigns", "/api/v1/stages?campaignId=\(campaign)",
                "/api/v1/candidates?campaignId=\(campaign)",
            ] {
                #expect(items(try await client.call(.get, path, key: stranger)).isEmpty, "\(path)")
            }
            #expect(try await client.call(.post, "/api/v1/candidates", key: stranger, body: ["email": "ada@example.com"]).status == .created)
            // And the owner still sees everything intact.
            #expect(try await client.call(.get, "/api/v1/jobs/\(job)", key: owner).status == .ok)
            let pipeline = json(try await client.call(.get, "/api/v1/campaigns/\(campaign)/pipeline", key: owner))
            #expect(((pipeline["stages"] as? [[String: Any]])?.first?["candidates"] as? [Any])?.count == 1)
        }
    }
}
