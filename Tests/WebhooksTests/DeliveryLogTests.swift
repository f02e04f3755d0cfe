import Foundation
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Webhooks

/// The delivery log of an endpoint (`GET …/deliveries`) and what people do with it: a message
/// that failed for good, sent again or recovered; the log read as of one moment; and messages
/// forgotten after thirty days. The service's own dispatcher runs, against a real receiver.
@Suite("Webhook delivery log: failures, retries, recovery, retention")
struct DeliveryLogTests {
    @Test func aMessageFailsForGoodAfterTheScheduleAndCanBeRetriedOrRecovered() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness(environment: ["WEBHOOK_RETRY_SCHEDULE": "0.2s,0.2s"]).run { client in
            let (organization, key) = try await client.organization()
            let endpoint = try #require(try await client.endpoint(key: key, url: receiver.url("down", "status/500"))["id"] as? String)
            let started = Date()
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let failed = try await client.deliveries(endpoint, key: key) { $0.first?["status"] as? String == "FAILED" }
            #expect((failed.first?["attempts"] as? [[String: Any]])?.count == 3)
            #expect(try await client.deliveries(endpoint, key: key, status: "FAILED").count == 1)
            #expect(try await client.deliveries(endpoint, key: key, status: "SUCCEEDED").isEmpty)
            #expect(try await client.call(.get, "/api/v1/webhook-endpoints/\(endpoint)/deliveries?status=LOST", key: key).status == .badRequest)
            let delivery = try #require(failed.first?["id"] as? String)
            let retried = try await client.call(.post, "/api/v1/webhook-endpoints/\(endpoint)/deliveries/\(delivery)/retry", key: key)
            #expect(retried.status == .accepted)
            let again = try await client.deliveries(endpoint, key: key) { ($0.first?["attempts"] as? [[String: Any]])?.count == 4 }
            #expect(
                again.first?["status"] as? String == "FAILED",
                "\(again.first?["nextAttemptAt"] ?? "-") \((again.first?["attempts"] as? [[String: Any]] ?? []).map { "\($0["attemptedAt"] ?? "") \($0["error"] ?? "")" })"
            )
            #expect(try await client.call(.post, "/api/v1/webhook-endpoints/\(endpoint)/deliveries/\(UUID())/retry", key: key).status == .notFound)
            let since = ISO8601DateFormatter().string(from: started.addingTimeInterval(-60))
            let recovered = try await client.call(.post, "/api/v1/webhook-endpoints/\(endpoint)/recover", key: key, body: ["since": since])
            #expect(recovered.status == .accepted && json(recovered)["queued"] as? Int == 1)
            #expect(try await receiver.requests(to: "down", atLeast: 5).count == 5)
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(60))
            #expect(
                json(try await client.call(.post, "/api/v1/webhook-endpoints/\(endpoint)/recover", key: key, body: ["since": later]))["queued"]
                    as? Int == 0)
            let bad = try await client.call(.post, "/api/v1/webhook-endpoints/\(endpoint)/recover", key: key, body: ["since": "yesterday"])
            #expect(bad.status == .badRequest)
        }
    }

    /// An attempt and the message's new state are recorded in one statement; the log must show
    /// them as of one moment too, even when that statement commits while the log is being read.
    @Test func theLogShowsAMessageAndItsAttemptsAsOfOneMoment() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness(environment: ["WEBHOOK_RETRY_SCHEDULE": "1h"]).run { client in
            let (organization, key) = try await client.organization()
            let endpoint = try #require(try await client.endpoint(key: key, url: receiver.url("down", "status/500"))["id"] as? String)
            try await client.handOver(WebhooksHarness.event(organization: organization))
            // The first attempt fails; the retry waits an hour.
            let waiting = try await client.deliveries(endpoint, key: key) { ($0.first?["attempts"] as? [Any])?.count == 1 }
            #expect(waiting.first?["status"] as? String == "PENDING")
            let id = try #require(waiting.first?["id"] as? String)
            let message = try #require(UUID(uuidString: id))
            let logger = Logger(label: "test")
            try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.withConnection { connection in
                    // A second attempt is recorded, as the dispatcher records one, by a transaction
                    // that holds the attempts table until the log's read of it is waiting.
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query("LOCK TABLE webhook_attempts IN ACCESS EXCLUSIVE MODE", logger: logger)
                    let listing = Task {
                        let found = try await client.deliveries(endpoint, key: key)
                        return (found.first?["status"] as? String, (found.first?["attempts"] as? [Any])?.count)
                    }
                    let deadline = ContinuousClock.now + .seconds(5)
                    while ContinuousClock.now < deadline {
                        let blocked = try await postgres.query(
                            "SELECT count(*)::int FROM pg_locks WHERE relation = 'webhook_attempts'::regclass AND NOT granted", logger: logger
                        ).collect().first!.decode(Int.self)
                        if blocked > 0 { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    try await connection.query(
                        """
                        INSERT INTO webhook_attempts (message_id, attempted_at, response_status, duration_ms, error)
                        VALUES (\(message), now(), 500, 1, 'answered 500')
                        """, logger: logger)
                    try await connection.query(
                        "UPDATE webhook_messages SET status = 'FAILED', attempts = attempts + 1, next_attempt_at = NULL WHERE id = \(message)",
                        logger: logger)
                    try await connection.query("COMMIT", logger: logger)
                    let (status, attempts) = try await listing.value
                    #expect(
                        (status == "PENDING" && attempts == 1) || (status == "FAILED" && attempts == 2),
                        "the log showed \(status ?? "-") with \(attempts ?? 0) attempts")
                }
            }
            let after = try await client.deliveries(endpoint, key: key)
            #expect(after.first?["status"] as? String == "FAILED" && (after.first?["attempts"] as? [Any])?.count == 2)
        }
    }

    @Test func messagesAndTheirAttemptsAreForgottenAfterThirtyDays() async throws {
        let receiver = try await WebhookReceiver()
        let harness = try await WebhooksHarness()
        try await harness.run { client in
            let (organization, key) = try await client.organization()
            let id = try #require(try await client.endpoint(key: key, url: receiver.url("kept"))["id"] as? String)
            try await client.handOver(WebhooksHarness.event(organization: organization))
            try await client.handOver(WebhooksHarness.event(organization: organization))
            _ = try await client.deliveries(id, key: key) { $0.count == 2 && $0.allSatisfy { $0["status"] as? String == "SUCCEEDED" } }
            try await TestDatabase.withClient(client.databaseURL) { postgres in
                // One of the two is 31 days old.
                try await postgres.query(
                    """
                    UPDATE webhook_messages SET created_at = now() - interval '31 days'
                    WHERE id = (SELECT id FROM webhook_messages ORDER BY created_at LIMIT 1)
                    """)
                try await postgres.query("UPDATE webhook_events SET received_at = now() - interval '31 days'")
                let queue = MessageQueue(client: postgres, schedule: .standard, logger: Logger(label: "test"))
                #expect(try await queue.purge(retention: MessageQueue.retention) == 1)
                let left = try await postgres.query(
                    "SELECT (SELECT count(*)::int FROM webhook_messages), (SELECT count(*)::int FROM webhook_attempts), (SELECT count(*)::int FROM webhook_events)"
                ).collect().first!.decode((Int, Int, Int).self)
                #expect(left.0 == 1 && left.1 == 1 && left.2 == 1, "\(left)")
            }
            #expect(try await client.deliveries(id, key: key).count == 1)
        }
    }
}
