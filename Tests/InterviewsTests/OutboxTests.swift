import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Interviews

@Suite("The outbox: completions and their events are written together")
struct OutboxTests {
    /// The events waiting in the outbox of the harness's database, decoded.
    static func pendingEvents(_ databaseURL: String) async throws -> [ReportEvent] {
        try await TestDatabase.withClient(databaseURL) { postgres in
            var events: [ReportEvent] = []
            for try await payload in try await postgres.query("SELECT payload::text FROM outbox_events ORDER BY sequence").decode(String.self) {
                events.append(try ReportEvent.decoder.decode(ReportEvent.self, from: Data(payload.utf8)))
            }
            return events
        }
    }

    @Test func aCompletionWritesOneEventWithEverythingTheReportShows() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { client in
            let (organization, key) = try await client.organization()
            let (candidate, job, campaign) = try await client.catalogSetup(key: key)
            let id =
                try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job, "campaignId": campaign])["id"]
                as! String
            try await client.runtime("/internal/interviews/\(id)/start")
            try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "CANDIDATE", "content": "Hi"])
            #expect(try await Self.pendingEvents(database).isEmpty)
            #expect(try await client.runtime("/internal/interviews/\(id)/complete", body: ["score": 64, "summary": "ok"]).status == .ok)
            // A refused second completion writes no second event.
            #expect(try await client.runtime("/internal/interviews/\(id)/complete", body: ["score": 10]).status == .conflict)
            let events = try await Self.pendingEvents(database)
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event.type == .INTERVIEW && event.interviewId?.apiString == id && event.score == 64)
            #expect(event.organizationId.apiString == organization.id && event.campaignId?.apiString == campaign)
            #expect(event.candidateId.apiString == candidate && event.jobId?.apiString == job)
            #expect(event.transcript.map(\.content) == ["Hi"] && event.summary == "ok")
        }
    }
}
