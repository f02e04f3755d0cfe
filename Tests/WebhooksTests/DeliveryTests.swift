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
}
