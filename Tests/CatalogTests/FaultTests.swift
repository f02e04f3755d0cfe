import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Catalog

/// Faults under real processes: the key service paused or stopped, PostgreSQL restarted.
@Suite("The catalog under faults", .serialized)
struct FaultTests {
    /// Calls until `expected` comes back, for at most `timeout`; returns the last status.
    static func eventually(_ expected: HTTPResponse.Status, timeout: Duration = .seconds(15), _ call: () async throws -> HTTPResponse.Status)
        async throws -> HTTPResponse.Status
    {
        let deadline = ContinuousClock.now + timeout
        var status = try await call()
        while status != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            status = try await call()
        }
        return status
    }

    @Test func aPausedThenStoppedKeyServiceIsSurvivedAndRecoveredFrom() async throws {
        let (process, keyService) = try await KeyServiceFixture.launch()
        let organization = try await keyService.newOrganization()
        let cached = try await organization.key(["jobs:read"]).key
        let unknownWhilePaused = try await organization.key(["jobs:read"]).key
        let unknownWhileStopped = try await organization.key(["jobs:read"]).key
        try await CatalogHarness(keyService: keyService, environment: ["AUTH_CACHE_TTL": "60", "INTROSPECTION_TIMEOUT_MS": "500"]).run { client in
            // Caches the key; on a loaded machine the first introspection may outlast 500 ms, so it may take a retry.
            #expect(try await Self.eventually(.ok) { try await client.call(.get, "/api/v1/jobs", key: cached).status } == .ok)

            // Paused: connections are accepted but never answered. No request may hang.
            process.signal(SIGSTOP)
            #expect(try await client.call(.get, "/api/v1/jobs", key: cached).status == .ok)
            var start = ContinuousClock.now
            let paused = try await client.call(.get, "/api/v1/jobs", key: unknownWhilePaused)
            #expect(paused.status == .serviceUnavailable && paused.headers[.retryAfter] != nil)
            #expect(ContinuousClock.now - start < .seconds(3))
            process.signal(SIGCONT)
            #expect(try await Self.eventually(.ok) { try await client.call(.get, "/api/v1/jobs", key: unknownWhilePaused).status } == .ok)

            // Stopped: the same, and once it is back everything works again by itself.
            process.signal(SIGTERM)
            _ = try await process.waitForExit(timeout: .seconds(15))
            #expect(try await client.call(.get, "/api/v1/jobs", key: cached).status == .ok)
            start = ContinuousClock.now
            #expect(try await client.call(.get, "/api/v1/jobs", key: unknownWhileStopped).status == .serviceUnavailable)
            #expect(ContinuousClock.now - start < .seconds(3))
            let port = Int(keyService.baseURL.split(separator: ":").last!)!
            let (restarted, _) = try await KeyServiceFixture.launch(databaseURL: keyService.databaseURL, port: port)
            #expect(try await Self.eventually(.ok) { try await client.call(.get, "/api/v1/jobs", key: unknownWhileStopped).status } == .ok)
            restarted.signal(SIGTERM)
        }
    }

    @Test func aPostgreSQLRestartFailsRequestsCleanlyAndLosesNoAcknowledgedWrite() async throws {
        let postgres = try await PrivatePostgres.start()
        do {
            try await Self.restartPostgres(under: CatalogHarness(environment: ["DATABASE_URL": postgres.url]), postgres)
        } catch {
            try? await postgres.remove()
            throw error
        }
        try await postgres.remove()
    }

    static func restartPostgres(under harness: CatalogHarness, _ postgres: PrivatePostgres) async throws {
        try await harness.run { client in
            let (_, key) = try await client.organization()
            var acknowledged: [String] = []
            for index in 0..<5 {
                acknowledged.append(try await client.create("/api/v1/jobs", key: key, ["title": "Before \(index)"])["id"] as! String)
            }
            try await postgres.stop()
            let start = ContinuousClock.now
            let down = try await client.call(.post, "/api/v1/jobs", key: key, body: ["title": "During"])
            #expect(down.status == .serviceUnavailable, "\(String(buffer: down.body))")
            #expect(apiError(down)?.code == "SERVICE_UNAVAILABLE" && down.headers[.retryAfter] != nil)
            #expect(ContinuousClock.now - start < .seconds(15))
            #expect(try await client.call(.get, "/readyz", key: nil).status == .serviceUnavailable)
            try await postgres.restart()
            // The pool retries with a growing backoff; within a minute it is back.
            #expect(try await Self.eventually(.ok, timeout: .seconds(60)) { try await client.call(.get, "/readyz", key: nil).status } == .ok)
            let after = try await Self.eventually(.created) {
                try await client.call(.post, "/api/v1/jobs", key: key, body: ["title": "After"]).status
            }
            #expect(after == .created)
            let titles = items(try await client.call(.get, "/api/v1/jobs?pageSize=100", key: key)).compactMap { $0["id"] as? String }
            #expect(Set(acknowledged).isSubset(of: Set(titles)))

            // The outbox relay survived it too: an event written after the restart is handed over
            // (a batch lost with its connection is abandoned after 30 s, so it may take that long).
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": acknowledged[0]])["id"] as! String
            _ = try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "S", "type": "HUMAN_REVIEW"])
            let ada = try await client.create("/api/v1/candidates", key: key, ["email": "ada@example.com"])["id"] as! String
            _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": ada])
            let deadline = ContinuousClock.now + .seconds(45)
            while client.webhooks.payloads.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(client.webhooks.events.map { $0["type"] as? String } == ["campaign.candidate_moved"])
        }
    }
}
