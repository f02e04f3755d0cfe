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
            for try await payload in try await postgres.query(
                "SELECT payload::text FROM outbox_events WHERE destination = 'reports' ORDER BY sequence"
            ).decode(String.self) {
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

    /// The webhook events waiting in the outbox, as receivers will get them.
    static func webhookEvents(_ databaseURL: String) async throws -> [[String: Any]] {
        try await TestDatabase.withClient(databaseURL) { postgres in
            var events: [String] = []
            let rows = try await postgres.query("SELECT payload::text FROM outbox_events WHERE destination = 'webhooks' ORDER BY sequence")
            for try await payload in rows.decode(String.self) { events.append(payload) }
            return events
        }.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    @Test func eachStepOfAnInterviewWritesItsWebhookEventInItsTransaction() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { client in
            let (organization, key) = try await client.organization()
            let (candidate, job, _) = try await client.catalogSetup(key: key)
            let id = try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job])["id"] as! String
            let cancelled = try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job])["id"] as! String
            #expect(try await Self.webhookEvents(database).isEmpty)
            try await client.runtime("/internal/interviews/\(id)/start")
            try await client.runtime("/internal/interviews/\(id)/start")
            try await client.runtime("/internal/interviews/\(id)/complete", body: ["score": 64, "summary": "ok"])
            try await client.call(.post, "/api/v1/interviews/\(cancelled)/cancel", key: key)
            try await client.call(.post, "/api/v1/interviews/\(cancelled)/cancel", key: key)
            let events = try await Self.webhookEvents(database)
            #expect(events.map { $0["type"] as? String } == ["interview.started", "interview.completed", "interview.cancelled"])
            for event in events {
                #expect((event["id"] as? String)?.hasPrefix("evt_") == true && event["organizationId"] as? String == organization.id)
                let data = try #require(event["data"] as? [String: Any])
                #expect(data["evaluation"] == nil && data["transcript"] == nil && data["candidateId"] as? String == candidate)
            }
            #expect((events[1]["data"] as? [String: Any])?["status"] as? String == "COMPLETED")
            #expect((events[2]["data"] as? [String: Any])?["id"] as? String == cancelled)
            #expect(Set(events.compactMap { $0["id"] as? String }).count == 3)
        }
    }

    @Test func aCompletedAssignmentWritesOneWebhookEvent() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { client in
            let (organization, key) = try await client.organization()
            let (candidate, _, _) = try await client.catalogSetup(key: key)
            let test =
                try await client.create("/api/v1/tests", key: key, ["title": "Swift basics", "isPublished": true, "passingScore": 60])["id"]
                as! String
            let assignment = try await client.create("/api/v1/tests/\(test)/assign", key: key, ["candidateId": candidate])["id"] as! String
            #expect(try await client.runtime("/internal/assignments/\(assignment)/complete", body: ["score": 72]).status == .ok)
            #expect(try await client.runtime("/internal/assignments/\(assignment)/complete", body: ["score": 10]).status == .conflict)
            let events = try await Self.webhookEvents(database)
            #expect(events.map { $0["type"] as? String } == ["assignment.completed"])
            let data = try #require(events.first?["data"] as? [String: Any])
            #expect(data["id"] as? String == assignment && data["score"] as? Int == 72 && data["passed"] as? Bool == true)
            #expect(events.first?["organizationId"] as? String == organization.id)
        }
    }
}
