import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Catalog

@Suite("Stored catalog data is never reinterpreted")
struct StoredDataTests {
    @Test func everyEnumColumnAcceptsOnlyItsValues() async throws {
        let harness = try await CatalogHarness()
        try await harness.run { _ in
            let columns: [(String, String, [String])] = [
                ("jobs", "work_mode", Job.WorkMode.allCases.map(\.rawValue)),
                ("jobs", "seniority", Job.Seniority.allCases.map(\.rawValue)),
                ("jobs", "contract_type", Job.ContractType.allCases.map(\.rawValue)),
                ("jobs", "status", Job.Status.allCases.map(\.rawValue)),
                ("campaigns", "status", Campaign.Status.allCases.map(\.rawValue)),
                ("stages", "type", Stage.Kind.allCases.map(\.rawValue)),
                ("campaign_candidates", "status", Membership.Status.allCases.map(\.rawValue)),
            ]
            let unchecked = try await StoredEnumChecks.unchecked(harness.settings.service.databaseURL, columns)
            #expect(unchecked == [])
        }
    }

    @Test func aStoredValueTheCodeDoesNotKnowIsA500AndIsNeverWrittenBack() async throws {
        let harness = try await CatalogHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { client in
            let (_, key) = try await client.organization()
            let id = try await client.create("/api/v1/jobs", key: key, ["title": "Engineer"])["id"] as! String
            // The CHECK refuses it...
            await #expect(throws: PSQLError.self) {
                try await TestDatabase.withClient(database) { try await $0.query("UPDATE jobs SET status = 'ARCHIVED'") }
            }
            // ...so only a row from elsewhere (a newer version, a hand edit) could hold it.
            try await TestDatabase.withClient(database) { postgres in
                try await postgres.query("ALTER TABLE jobs DROP CONSTRAINT jobs_status_check")
                try await postgres.query("UPDATE jobs SET status = 'ARCHIVED'")
            }
            let read = try await client.call(.get, "/api/v1/jobs/\(id)", key: key)
            #expect(read.status == .internalServerError && apiError(read)?.code == "INTERNAL_ERROR")
            #expect(try await client.call(.get, "/api/v1/jobs", key: key).status == .internalServerError)
            let patched = try await client.call(.patch, "/api/v1/jobs/\(id)", key: key, body: ["title": "Renamed"])
            #expect(patched.status == .internalServerError)
            let stored = try await TestDatabase.withClient(database) { postgres in
                try await postgres.query("SELECT title, status FROM jobs").collect().first?.decode((String, String).self)
            }
            #expect(stored?.0 == "Engineer" && stored?.1 == "ARCHIVED")
        }
    }
}
