import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import Synchronization
import TestSupport
import Testing

@testable import Interviews

@Suite("The outbox parks what is refused for good and retries the rest event by event")
struct OutboxRetryTests {
    /// Refuses the events it is told to, with the status it is told to; accepts the others.
    final class ScriptedDelivery: OutboxDestination, Sendable {
        let name: String
        let refusals: [UUID: InternalCallFailure]
        let accepted = Mutex<[UUID]>([])

        init(_ refusals: [UUID: InternalCallFailure], name: String = "reports") {
            self.refusals = refusals
            self.name = name
        }

        func deliver(eventId: UUID, payload: String) async throws {
            if let failure = refusals[eventId] { throw failure }
            accepted.withLock { $0.append(eventId) }
        }
    }

    @Test(arguments: [400, 409, 413, 415, 422])
    func aRefusalAboutTheEventParksIt(status: Int) {
        #expect(
            OutboxRelay.disposition(of: InternalCallFailure.unexpectedStatus(status), destination: "reports")
                == .park(reason: "the reports service answered \(status)"))
    }

    @Test(arguments: [401, 403, 404, 408, 429, 500, 502, 503])
    func aFailureRetryingMayFixIsRetried(status: Int) {
        guard case .retry = OutboxRelay.disposition(of: InternalCallFailure.unexpectedStatus(status), destination: "reports") else {
            Issue.record("\(status) would park the event")
            return
        }
    }

    @Test func eachEventBacksOffOnItsOwnUpToFiveMinutes() {
        #expect(OutboxRelay.eventBackoff(afterAttempts: 1) == 0.5)
        #expect(OutboxRelay.eventBackoff(afterAttempts: 4) == 4)
        #expect(OutboxRelay.eventBackoff(afterAttempts: 30) == 300)
    }

    @Test func oneBatchParksTheRefusedDefersTheFailedAndDeliversTheRest() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { _ in }
        let ids = (0..<5).map { _ in UUID() }
        let delivery = ScriptedDelivery([ids[0]: .unexpectedStatus(400), ids[2]: .unexpectedStatus(503)])
        try await TestDatabase.withClient(database) { postgres in
            for id in ids {
                try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(id), 'reports', '{}'::jsonb)")
            }
            let relay = OutboxRelay(
                postgres: postgres, destinations: [delivery], pollInterval: .milliseconds(10), metrics: ServiceMetrics(),
                logger: Logger(label: "test"))
            let first = try await relay.deliverBatch(to: delivery)
            #expect(first.handled == 5 && !first.serviceDown)
            #expect(delivery.accepted.withLock { $0 } == [ids[1], ids[3], ids[4]])
            var parked: [(UUID, Int, String)] = []
            for try await row in try await postgres.query("SELECT id, attempts, reason FROM outbox_dead_letters").decode((UUID, Int, String).self) {
                parked.append(row)
            }
            #expect(parked.count == 1 && parked[0].0 == ids[0] && parked[0].1 == 1 && parked[0].2.contains("400"))
            var waiting: [(UUID, Int, Bool)] = []
            let rows = try await postgres.query(
                "SELECT id, attempts, next_attempt_at >= created_at + interval '0.5 seconds' FROM outbox_events WHERE delivered_at IS NULL"
            )
            for try await row in rows.decode((UUID, Int, Bool).self) { waiting.append(row) }
            #expect(waiting.count == 1 && waiting[0].0 == ids[2] && waiting[0].1 == 1 && waiting[0].2)
        }
    }

    @Test func anUnreachableReportsServiceEndsTheBatch() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { _ in }
        let ids = (0..<3).map { _ in UUID() }
        let delivery = ScriptedDelivery(Dictionary(uniqueKeysWithValues: ids.map { ($0, InternalCallFailure.unreachable("refused")) }))
        try await TestDatabase.withClient(database) { postgres in
            for id in ids { try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(id), 'reports', '{}'::jsonb)") }
            let relay = OutboxRelay(
                postgres: postgres, destinations: [delivery], pollInterval: .milliseconds(10), metrics: ServiceMetrics(),
                logger: Logger(label: "test"))
            let outcome = try await relay.deliverBatch(to: delivery)
            #expect(outcome.serviceDown && outcome.handled == 1)
            var tried: [Int] = []
            for try await count in try await postgres.query("SELECT count(*)::int FROM outbox_events WHERE attempts > 0").decode(Int.self) {
                tried.append(count)
            }
            #expect(tried == [1])
        }
    }

    /// The webhooks service down (every event refused as unreachable) while the reports service
    /// answers: the relay, running, delivers every report event within a second all the same.
    @Test func aDestinationThatIsDownHoldsBackNoOther() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { _ in }
        let reportIds = (0..<30).map { _ in UUID() }
        let webhookIds = (0..<30).map { _ in UUID() }
        let reports = ScriptedDelivery([:], name: "reports")
        let webhooks = ScriptedDelivery(
            Dictionary(uniqueKeysWithValues: webhookIds.map { ($0, InternalCallFailure.unreachable("refused")) }), name: "webhooks")
        try await TestDatabase.withClient(database) { postgres in
            for (report, webhook) in zip(reportIds, webhookIds) {
                try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(webhook), 'webhooks', '{}'::jsonb)")
                try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(report), 'reports', '{}'::jsonb)")
            }
            let relay = OutboxRelay(
                postgres: postgres, destinations: [webhooks, reports], pollInterval: .milliseconds(10), metrics: ServiceMetrics(),
                logger: Logger(label: "test"))
            let running = Task { try await relay.run() }
            let deadline = ContinuousClock.now + .seconds(1)
            while reports.accepted.withLock({ $0.count }) < reportIds.count && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            running.cancel()
            _ = try? await running.value
            #expect(Set(reports.accepted.withLock { $0 }) == Set(reportIds))
            #expect(webhooks.accepted.withLock { $0 }.isEmpty)
        }
    }

    /// Accepts every event but one, on which it never answers, cancelled or not (as a query
    /// written just as its connection closes can stay unanswered), until `release` is called.
    final class StuckDelivery: OutboxDestination, Sendable {
        let name = "reports"
        let stuckOn: UUID
        let accepted = Mutex<[UUID]>([])
        let stuck = Mutex<CheckedContinuation<Void, Never>?>(nil)

        init(stuckOn: UUID) { self.stuckOn = stuckOn }

        func deliver(eventId: UUID, payload: String) async throws {
            if eventId == stuckOn {
                await withCheckedContinuation { continuation in stuck.withLock { $0 = continuation } }
                throw InternalCallFailure.unreachable("released")
            }
            accepted.withLock { $0.append(eventId) }
        }

        func release() { stuck.withLock { $0.take() }?.resume() }
    }

    /// A batch stuck for good is abandoned at its deadline: the relay delivers a later event, and
    /// stops when told to although that batch never ends.
    @Test func aBatchThatNeverEndsIsAbandonedAndTheRelayGoesOn() async throws {
        let harness = try await InterviewsHarness()
        let database = harness.settings.service.databaseURL
        try await harness.run { _ in }
        let (stuck, later) = (UUID(), UUID())
        let delivery = StuckDelivery(stuckOn: stuck)
        defer { delivery.release() }
        try await TestDatabase.withClient(database) { postgres in
            try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(stuck), 'reports', '{}'::jsonb)")
            let relay = OutboxRelay(
                postgres: postgres, destinations: [delivery], pollInterval: .milliseconds(10), batchDeadline: .milliseconds(500),
                metrics: ServiceMetrics(), logger: Logger(label: "test"))
            let running = Task { try await relay.run() }
            var deadline = ContinuousClock.now + .seconds(5)
            while delivery.stuck.withLock({ $0 == nil }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(delivery.stuck.withLock { $0 != nil }, "the relay never tried the first event")
            try await postgres.query("INSERT INTO outbox_events (id, destination, payload) VALUES (\(later), 'reports', '{}'::jsonb)")
            deadline = ContinuousClock.now + .seconds(5)
            while delivery.accepted.withLock({ $0.isEmpty }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(delivery.accepted.withLock { $0 } == [later])
            running.cancel()
            // Bounded, so that a relay that waits for the stuck batch fails the test instead of hanging it.
            let stopped = await withAbandoningDeadline(.seconds(5)) { _ = try? await running.value }
            #expect(stopped != nil, "the relay did not stop while a batch was stuck")
        }
    }

    @Test func theWorstEventTheLimitsAllowFitsTheInternalBodyLimit() throws {
        typealias L = ReportEventLimits
        // A control character is the costliest to encode: six bytes, \u0001.
        func text(_ count: Int) -> String { String(repeating: "\u{1}", count: count) }
        let perTurn = L.transcriptCharacters / L.turnsPerInterview
        let event = ReportEvent(
            eventId: UUID(), type: .INTERVIEW, organizationId: UUID(), interviewId: UUID(), assignmentId: nil, testId: nil,
            candidateId: UUID(), jobId: UUID(), campaignId: UUID(), score: 100, passed: nil,
            recommendation: text(L.recommendationCharacters), summary: text(L.summaryCharacters),
            strengths: Array(repeating: text(L.listEntryCharacters), count: L.listEntries),
            weaknesses: Array(repeating: text(L.listEntryCharacters), count: L.listEntries),
            criteria: Array(
                repeating: .init(name: text(L.criterionNameCharacters), score: 100, comment: text(L.criterionCommentCharacters)), count: L.criteria),
            transcript: (1...L.turnsPerInterview).map { .init(sequence: $0, role: "CANDIDATE", content: text(perTurn), createdAt: Date()) },
            completedAt: Date()
        )
        let bytes = try ReportEvent.encoder.encode(event).count
        #expect(bytes <= L.maximumEncodedBytes, "the worst event is \(bytes) bytes")
        #expect(bytes > RequestLimits.maxBodyBytes, "the public limit would do; the internal one is not needed")
        #expect(RequestLimits.maxInternalBodyBytes >= L.maximumEncodedBytes)
    }

    @Test func aTranscriptPastItsBoundIsRefusedWith422() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, _) = try await client.catalogSetup(key: key)
            let id = try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job])["id"] as! String
            #expect(try await client.runtime("/internal/interviews/\(id)/start").status == .ok)
            let long = String(repeating: "x", count: ReportEventLimits.turnCharacters)
            for index in 1...(ReportEventLimits.transcriptCharacters / ReportEventLimits.turnCharacters) {
                let turn = try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "CANDIDATE", "content": long])
                #expect(turn.status == .created, "turn \(index)")
            }
            let over = try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "AGENT", "content": "one more"])
            #expect(over.status == .unprocessableContent && apiError(over)?.code == "TRANSCRIPT_FULL")
            let tooLong = try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "AGENT", "content": long + "y"])
            #expect(tooLong.status == .badRequest)
            #expect(try await client.runtime("/internal/interviews/\(id)/complete", body: ["score": 50]).status == .ok)
        }
    }
}
