import Foundation
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Webhooks

/// Deliveries to a real receiver (`WebhookReceiver`, which verifies with `standardwebhooks`),
/// with the service's own dispatcher running and retries a second apart.
@Suite("Webhook deliveries: signed, retried, isolated")
struct DeliveryTests {
    @Test func anEventReachesEachSubscribedEndpointOnceSignedAsTheSpecificationSays() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let (stranger, strangerKey) = try await client.organization()
            let all = try await client.endpoint(key: key, url: receiver.url("all"))
            let reports = try await client.endpoint(key: key, url: receiver.url("reports"), eventTypes: ["report.created"])
            _ = try await client.endpoint(key: key, url: receiver.url("interviews"), eventTypes: ["interview.completed"])
            _ = try await client.endpoint(key: strangerKey, url: receiver.url("stranger"))
            try await receiver.verify("all", with: [try #require(all["secret"] as? String), WebhookSecret.generate().text])
            try await receiver.verify("reports", with: [try #require(reports["secret"] as? String)])
            let event = WebhooksHarness.event("report.created", organization: organization)
            let handed = try await client.handOver(event)
            #expect(handed.status == .ok && json(handed)["new"] as? Bool == true && json(handed)["messages"] as? Int == 2)
            // The same event again (a producer's retry) changes nothing.
            #expect(json(try await client.handOver(event))["new"] as? Bool == false)
            let first = try #require(try await receiver.requests(to: "all", atLeast: 1).first)
            #expect(first.webhookId == event["id"] as? String && first.verified == [true, false])
            #expect(first.contentType == "application/json" && first.json["type"] as? String == "report.created")
            #expect(abs((Double(first.timestamp ?? "") ?? 0) - Date().timeIntervalSince1970) < 30)
            #expect(try await receiver.requests(to: "reports", atLeast: 1).first?.verified == [true])
            try await Task.sleep(for: .milliseconds(500))
            let everything = try await receiver.requests()
            #expect(everything.filter { $0.path.hasPrefix("/all/") }.count == 1 && everything.filter { $0.path.hasPrefix("/reports/") }.count == 1)
            #expect(!everything.contains { $0.path.hasPrefix("/interviews/") || $0.path.hasPrefix("/stranger/") })
            let logged = try await client.deliveries(try #require(all["id"] as? String), key: key) { $0.first?["status"] as? String == "SUCCEEDED" }
            #expect(
                logged.count == 1 && logged[0]["eventId"] as? String == event["id"] as? String
                    && logged[0]["eventType"] as? String == "report.created")
            #expect((logged[0]["attempts"] as? [[String: Any]])?.first?["responseStatus"] as? Int == 200)
            // Another organization's event never reaches these endpoints.
            try await client.handOver(WebhooksHarness.event("report.created", organization: stranger))
            #expect(try await receiver.requests(to: "stranger", atLeast: 1).count == 1)
            #expect(try await receiver.requests().filter { $0.path.hasPrefix("/all/") }.count == 1)
        }
    }

    @Test func aFailedAttemptIsRetriedWithTheSameIdAndTheLogShowsBoth() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let endpoint = try #require(try await client.endpoint(key: key, url: receiver.url("flaky", "fail-then-ok/1"))["id"] as? String)
            let event = WebhooksHarness.event(organization: organization)
            try await client.handOver(event)
            let requests = try await receiver.requests(to: "flaky", atLeast: 2)
            #expect(requests.count == 2 && Set(requests.map(\.webhookId)) == [event["id"] as! String])
            // The retry waited its scheduled second (±20 %).
            #expect(requests[1].receivedAt - requests[0].receivedAt >= 0.75)
            let logged = try await client.deliveries(endpoint, key: key) { $0.first?["status"] as? String == "SUCCEEDED" }
            let attempts = try #require(logged.first?["attempts"] as? [[String: Any]])
            #expect(attempts.map { $0["responseStatus"] as? Int } == [500, 200])
            #expect(attempts[0]["error"] as? String == "answered 500" && attempts[1]["error"] is NSNull)
            #expect(logged.first?["nextAttemptAt"] is NSNull)
        }
    }

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

    @Test func a410DisablesTheEndpointAtOnceAndARedirectIsNotFollowed() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let gone = try #require(try await client.endpoint(key: key, url: receiver.url("gone", "status/410"))["id"] as? String)
            // A redirect to the cloud's metadata address: recorded as the failure it is, never followed.
            let moved = try #require(
                try await client.endpoint(key: key, url: receiver.url("moved", "redirect?to=http://169.254.169.254/latest/meta-data"))["id"]
                    as? String)
            try await client.handOver(WebhooksHarness.event(organization: organization))
            _ = try await client.deliveries(gone, key: key) { $0.first?["status"] as? String == "FAILED" }
            let endpoint = json(try await client.call(.get, "/api/v1/webhook-endpoints/\(gone)", key: key))
            #expect(endpoint["status"] as? String == "DISABLED" && endpoint["disabledReason"] as? String == "GONE")
            // Nothing more goes to a disabled endpoint.
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let redirected = try await client.deliveries(moved, key: key) {
                $0.count == 2 && $0.allSatisfy { ($0["attempts"] as? [Any])?.count ?? 0 >= 1 }
            }
            let attempt = try #require((redirected.last?["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["responseStatus"] as? Int == 302 && (attempt["error"] as? String)?.contains("redirect") == true)
            #expect((attempt["durationMs"] as? Int ?? .max) < 1000)
            let requests = try await receiver.requests()
            #expect(requests.filter { $0.path.hasPrefix("/gone/") }.count == 1)
            #expect(!requests.contains { $0.path == "/moved/ok" })
        }
    }

    @Test func aRolledSecretSignsBesideTheOldOneUntilItExpires() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let created = try await client.endpoint(key: key, url: receiver.url("rolled"))
            let id = try #require(created["id"] as? String)
            let old = try #require(created["secret"] as? String)
            let rolled = try await client.call(.post, "/api/v1/webhook-endpoints/\(id)/roll-secret", key: key, body: ["expiresInSeconds": 2])
            #expect(rolled.status == .created)
            let new = try #require(json(rolled)["secret"] as? String)
            #expect(new != old && json(rolled)["secretPrefix"] as? String == String(new.prefix(10)))
            #expect(
                json(try await client.call(.get, "/api/v1/webhook-endpoints/\(id)", key: key))["secretPrefix"] as? String == String(new.prefix(10)))
            try await receiver.verify("rolled", with: [old, new])
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let during = try #require(try await receiver.requests(to: "rolled", atLeast: 1).first)
            #expect(during.verified == [true, true] && during.signature.split(separator: " ").count == 2)
            try await Task.sleep(for: .seconds(2.5))
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let after = try #require(try await receiver.requests(to: "rolled", atLeast: 2).last)
            #expect(after.verified == [false, true] && after.signature.split(separator: " ").count == 1)
            let invalid = try await client.call(.post, "/api/v1/webhook-endpoints/\(id)/roll-secret", key: key, body: ["expiresInSeconds": 604_801])
            #expect(invalid.status == .badRequest)
        }
    }

    @Test func aTestEventGoesToTheOneEndpointAskedFor() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let created = try await client.endpoint(key: key, url: receiver.url("tested"), eventTypes: ["report.created"])
            _ = try await client.endpoint(key: key, url: receiver.url("other"))
            let id = try #require(created["id"] as? String)
            try await receiver.verify("tested", with: [try #require(created["secret"] as? String)])
            let queued = try await client.call(.post, "/api/v1/webhook-endpoints/\(id)/test", key: key)
            #expect(queued.status == .accepted)
            let request = try #require(try await receiver.requests(to: "tested", atLeast: 1).first)
            #expect(request.verified == [true] && request.json["type"] as? String == "webhook.test")
            #expect((request.json["data"] as? [String: Any])?["endpointId"] as? String == id)
            #expect(request.json["organizationId"] as? String == organization && request.webhookId == json(queued)["eventId"] as? String)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await receiver.requests().allSatisfy { !$0.path.hasPrefix("/other/") })
        }
    }

    @Test func retryAfterIsHonouredAndOnlyAKilobyteOfAnAnswerIsKept() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness(environment: ["WEBHOOK_RETRY_SCHEDULE": "0.2s"]).run { client in
            let (organization, key) = try await client.organization()
            _ = try await client.endpoint(key: key, url: receiver.url("busy", "status/429?retry-after=2"))
            _ = try await client.endpoint(key: key, url: receiver.url("large", "big"))
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let requests = try await receiver.requests(to: "busy", atLeast: 2, within: .seconds(6))
            #expect(requests.count == 2 && requests[1].receivedAt - requests[0].receivedAt >= 1.9)
            _ = try await receiver.requests(to: "large", atLeast: 1)
            try await Task.sleep(for: .milliseconds(300))
            let excerpts = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("SELECT octet_length(response_excerpt) FROM webhook_attempts WHERE response_status = 200")
                    .collect().map { try $0.decode(Int.self) }
            }
            #expect(excerpts == [1024])
        }
    }

    @Test func anEndpointThatHangsDelaysNoOtherEndpoint() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness(environment: ["WEBHOOK_ENDPOINT_CONCURRENCY": "4"]).run { client in
            let (organization, key) = try await client.organization()
            let (other, otherKey) = try await client.organization()
            _ = try await client.endpoint(key: key, url: receiver.url("hanging", "sleep/8"))
            _ = try await client.endpoint(key: key, url: receiver.url("healthy"))
            _ = try await client.endpoint(key: otherKey, url: receiver.url("neighbour"))
            // Twenty events: the hanging endpoint's lane fills at once and stays full.
            for _ in 0..<20 { try await client.handOver(WebhooksHarness.event(organization: organization)) }
            _ = try await receiver.requests(to: "hanging", atLeast: 4, within: .seconds(5))
            let start = Date().timeIntervalSince1970
            try await client.handOver(WebhooksHarness.event(organization: organization))
            try await client.handOver(WebhooksHarness.event(organization: other))
            let healthy = try await receiver.requests(to: "healthy", atLeast: 21, within: .seconds(5))
            let neighbour = try await receiver.requests(to: "neighbour", atLeast: 1, within: .seconds(5))
            #expect(healthy.count == 21 && neighbour.count == 1)
            #expect((healthy.last?.receivedAt ?? .infinity) - start < 1.0 && (neighbour.last?.receivedAt ?? .infinity) - start < 1.0)
            #expect(try await receiver.requests().filter { $0.path.hasPrefix("/hanging/") }.count == 4)
        }
    }

    /// Four attempts at once in all, two for one organization: a burst of one organization to
    /// slow endpoints holds its two, and another organization's event goes out at once.
    @Test func oneOrganizationsBurstNeverStarvesAnother() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness(environment: ["WEBHOOK_CONCURRENCY": "4", "WEBHOOK_ORGANIZATION_CONCURRENCY": "2"]).run { client in
            let (busy, busyKey) = try await client.organization()
            let (other, otherKey) = try await client.organization()
            for name in ["slow-a", "slow-b", "slow-c"] { _ = try await client.endpoint(key: busyKey, url: receiver.url(name, "sleep/3")) }
            _ = try await client.endpoint(key: otherKey, url: receiver.url("other"))
            for _ in 0..<20 { try await client.handOver(WebhooksHarness.event(organization: busy)) }
            _ = try await receiver.requests(to: "slow-", atLeast: 0, within: .milliseconds(300))
            let start = Date().timeIntervalSince1970
            try await client.handOver(WebhooksHarness.event(organization: other))
            let arrived = try await receiver.requests(to: "other", atLeast: 1, within: .seconds(5))
            #expect(arrived.count == 1 && arrived[0].receivedAt - start < 1.0)
            // The busy organization never had more than its two attempts under way.
            let slow = try await receiver.requests().filter { $0.path.hasPrefix("/slow-") }
            #expect(slow.count <= 2, "\(slow.count) attempts of the busy organization in its first 3 seconds")
        }
    }

    @Test func anEndpointFailingForTheWholePeriodIsDisabled() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness(environment: ["WEBHOOK_RETRY_SCHEDULE": "0.5s,0.5s,0.5s,0.5s,0.5s", "WEBHOOK_DISABLE_AFTER": "1s"]).run { client in
            let (organization, key) = try await client.organization()
            let id = try #require(try await client.endpoint(key: key, url: receiver.url("failing", "status/503"))["id"] as? String)
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let deadline = ContinuousClock.now + .seconds(10)
            var endpoint: [String: Any] = [:]
            while ContinuousClock.now < deadline {
                endpoint = json(try await client.call(.get, "/api/v1/webhook-endpoints/\(id)", key: key))
                if endpoint["status"] as? String == "DISABLED" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(endpoint["status"] as? String == "DISABLED" && endpoint["disabledReason"] as? String == "FAILING")
            let count = try await receiver.requests().count
            #expect(count >= 3 && count <= 5)
        }
    }

    @Test func theIntakeTakesOnlyWellFormedEventsFromItsCallers() async throws {
        try await WebhooksHarness().run { client in
            let (organization, _) = try await client.organization()
            #expect(
                try await client.handOver(WebhooksHarness.event(organization: organization), credentials: "interviews:wrong-secret-0123456789abc")
                    .status == .unauthorized)
            for (field, value) in [("id", "nope" as any Sendable), ("type", "made.up"), ("createdAt", "soon"), ("organizationId", "x")] {
                var event = WebhooksHarness.event(organization: organization)
                event[field] = value
                #expect(try await client.handOver(event).status == .badRequest, "\(field)")
            }
            var large = WebhooksHarness.event(organization: organization)
            large["data"] = ["text": String(repeating: "x", count: 70_000)]
            #expect(try await client.handOver(large).status == .contentTooLarge)
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
