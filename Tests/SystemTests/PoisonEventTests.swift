import Foundation
import PostgresNIO
import TestSupport
import Testing

/// Completion events the reports service refuses for good are parked, and never again stop the
/// reports of anyone else; an operator lists them and sends them again.
@Suite("A refused event is parked and the others are delivered", .serialized)
struct PoisonEventTests {
    @Test func refusedEventsAreParkedLaterOnesArriveWithinASecondAndRedeliveryWorks() async throws {
        let platform = try await Platform.launch()
        let api = platform.gateway.url
        let organization = try await platform.keyService.newOrganization(consoleURL: api)
        let recruiting = try await organization.key(["jobs:write", "candidates:write", "interviews:write"]).key
        let reporting = try await organization.key(["reports:read"]).key
        let client = APIClient(baseURL: api)

        // Three events the reports service answers 400 (a score it cannot hold), at the head of the queue.
        let poison = (0..<3).map { _ in UUID() }
        try await TestDatabase.withClient(platform.interviewsDatabaseURL) { postgres in
            for id in poison {
                let payload = #"{"eventId":"\#(id.uuidString.lowercased())","type":"INTERVIEW","score":101}"#
                try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(id), 'reports', \(payload)::jsonb)")
            }
        }

        // A real interview completed behind them.
        let job = try await client.create("/api/v1/jobs", recruiting, ["title": "Backend engineer"])
        let candidate = try await client.create("/api/v1/candidates", recruiting, ["email": "ada-\(UUID())@example.com"])
        let interview = try await client.create("/api/v1/interviews", recruiting, ["candidateId": candidate, "jobId": job])
        let runtime = ("Authorization", "Basic " + Data(Platform.runtimeClient.utf8).base64EncodedString())
        let base = platform.interviewsURL + "/internal/interviews/\(interview)"
        #expect(try await HTTPExchange.send(.POST, base + "/start", headers: [runtime]).status == 200)
        let completed = try await HTTPExchange.send(.POST, base + "/complete", headers: [runtime], body: #"{"score":77,"summary":"Good"}"#)
        #expect(completed.status == 200, "\(completed.body)")
        let completedAt = ContinuousClock.now
        var report = try await client.send(.GET, "/api/v1/reports/interviews/\(interview)", key: reporting)
        while report.status != 200, ContinuousClock.now - completedAt < .seconds(1) {
            try await Task.sleep(for: .milliseconds(20))
            report = try await client.send(.GET, "/api/v1/reports/interviews/\(interview)", key: reporting)
        }
        #expect(report.status == 200, "no report within a second of completion: \(report.body)")

        // The operator sees the three, with why and how often they were tried.
        let listed = try await Self.outbox(platform, ["list", "--json"])
        #expect(listed.status == 0, "\(listed.output)")
        let parked = try #require(try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.output)")
        #expect(Set(parked.compactMap { $0["eventId"] as? String }) == Set(poison.map { $0.uuidString.lowercased() }))
        #expect(parked.allSatisfy { ($0["reason"] as? String)?.contains("400") == true && $0["attempts"] as? Int == 1 })
        let metrics = try await HTTPExchange.send(.GET, platform.interviewsURL + "/metrics")
        #expect(metrics.body.contains("outbox_events_parked_total 3"), "\(metrics.body.split(separator: "\n").filter { $0.contains("outbox") })")

        // A good event parked earlier (say, while the reports service had a bug) is delivered once redelivered.
        let another = UUID()
        let eventId = UUID()
        try await TestDatabase.withClient(platform.interviewsDatabaseURL) { postgres in
            try await postgres.query(
                """
                INSERT INTO outbox_dead_letters (id, destination, sequence, payload, created_at, attempts, reason)
                SELECT \(eventId), 'reports', 1000000, payload || jsonb_build_object('eventId', \(eventId.uuidString.lowercased()), 'interviewId', \(another.uuidString.lowercased())),
                       created_at, 4, 'the reports service answered 400'
                FROM outbox_events WHERE delivered_at IS NOT NULL AND destination = 'reports' LIMIT 1
                """
            )
        }
        #expect(try await Self.outbox(platform, ["redeliver", UUID().uuidString]).status == 4)
        let redelivered = try await Self.outbox(platform, ["redeliver", eventId.uuidString])
        #expect(redelivered.status == 0 && redelivered.output.contains(eventId.uuidString.lowercased()), "\(redelivered.output)")
        _ = try await client.eventually("/api/v1/reports/interviews/\(another.uuidString.lowercased())", key: reporting, status: 200)
        let after = try await Self.outbox(platform, ["list", "--json"])
        #expect((try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [Any])?.count == 3)
        _ = await platform.stop()
    }

    /// Runs `interviews outbox …` on the platform's interviews database.
    static func outbox(_ platform: Platform, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(
            ChildProcess.binDirectory.appendingPathComponent("interviews"), arguments: ["outbox"] + arguments,
            environment: ["DATABASE_URL": platform.interviewsDatabaseURL]
        )
    }
}
