import Foundation
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import Webhooks

/// The promises that races could break, raced: an event handed over many times at once is
/// taken once, and claims made at once (as by several replicas) never share a message.
@Suite("Webhook intake and claims under concurrency")
struct RaceTests {
    @Test func oneEventHandedOverTwentyTimesAtOnceIsTakenOnceAndDeliveredOnce() async throws {
        let receiver = try await WebhookReceiver()
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let id = try #require(try await client.endpoint(key: key, url: receiver.url("once"))["id"] as? String)
            let event = WebhooksHarness.event(organization: organization)
            let answers = try await withThrowingTaskGroup(of: (Int, Bool?).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let answer = try await client.handOver(event)
                        return (Int(answer.status.code), json(answer)["new"] as? Bool)
                    }
                }
                return try await group.reduce(into: [(Int, Bool?)]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.0 == 200 })
            #expect(answers.filter { $0.1 == true }.count == 1)
            _ = try await client.deliveries(id, key: key) { $0.first?["status"] as? String == "SUCCEEDED" }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await receiver.requests().count == 1)
            #expect(try await client.deliveries(id, key: key).count == 1)
        }
    }

    @Test func claimsMadeAtOnceNeverShareAMessage() async throws {
        let harness = try await WebhooksHarness()
        try await harness.run { client in
            let (organization, key) = try await client.organization()
            // A disabled endpoint: its service's own dispatcher leaves the messages to this test.
            let id = try #require(try await client.endpoint(key: key, url: "http://127.0.0.1:9/claims")["id"] as? String)
            _ = try await client.call(.patch, "/api/v1/webhook-endpoints/\(id)", key: key, body: ["status": "DISABLED"])
            for _ in 0..<300 { try await client.handOver(WebhooksHarness.event(organization: organization)) }
            try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query(
                    """
                    INSERT INTO webhook_messages (id, event_id, endpoint_id, organization_id, next_attempt_at)
                    SELECT gen_random_uuid(), e.id, \(UUID(uuidString: id)!), \(UUID(uuidString: organization)!), now() FROM webhook_events e
                    """)
                try await postgres.query(
                    "UPDATE webhook_endpoints SET status = 'ENABLED', disabled_reason = NULL WHERE id = \(UUID(uuidString: id)!)")
                let queue = MessageQueue(client: postgres, schedule: .standard, logger: Logger(label: "test"))
                let room = MessageQueue.Room(total: 40, perEndpoint: 1000, perOrganization: 1000, busyEndpoints: [], busyOrganizations: [])
                let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
                    for _ in 0..<12 { group.addTask { try await queue.claim(room: room, lease: .seconds(60)).map(\.id) } }
                    return try await group.reduce(into: [[UUID]]()) { $0.append($1) }
                }
                let claimed = claims.flatMap { $0 }
                #expect(Set(claimed).count == claimed.count, "a message was claimed twice")
                #expect(claimed.count > 40)
            }
        }
    }
}
