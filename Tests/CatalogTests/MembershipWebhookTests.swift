import Foundation
import Shared
import TestSupport
import Testing

@testable import Catalog

@Suite("Campaign membership announces campaign.candidate_moved through the outbox")
struct MembershipWebhookTests {
    /// Waits until the outbox has handed over `count` events (or 5 s passed); returns them.
    static func handedOver(_ webhooks: RecordingDestination, count: Int) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(5)
        while webhooks.payloads.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return webhooks.events
    }

    @Test func anEntryAMoveAndAStatusChangeEachMakeOneEventAndARefusedOneNone() async throws {
        let harness = try await CatalogHarness()
        try await harness.run { client in
            let (organization, key) = try await client.organization()
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            let screen = try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "S", "type": "TEST"])["id"] as! String
            let review =
                try await client.create("/api/v1/stages", key: key, ["campaignId": campaign, "name": "R", "type": "HUMAN_REVIEW"])["id"] as! String
            let ada = try await client.create("/api/v1/candidates", key: key, ["email": "ada@example.com"])["id"] as! String
            let path = "/api/v1/campaigns/\(campaign)/candidates"
            _ = try await client.create(path, key: key, ["candidateId": ada])
            #expect(try await client.call(.post, path, key: key, body: ["candidateId": ada]).status == .conflict)
            #expect(try await client.call(.patch, path + "/\(ada)", key: key, body: ["stageId": review]).status == .ok)
            #expect(try await client.call(.patch, path + "/\(ada)", key: key, body: ["stageId": review]).status == .ok)
            #expect(try await client.call(.patch, path + "/\(ada)", key: key, body: ["status": "HIRED"]).status == .ok)
            let events = try await Self.handedOver(client.webhooks, count: 3)
            try await Task.sleep(for: .milliseconds(200))
            #expect(client.webhooks.payloads.count == 3)
            #expect(events.allSatisfy { $0["type"] as? String == "campaign.candidate_moved" && $0["organizationId"] as? String == organization.id })
            let data = events.compactMap { $0["data"] as? [String: Any] }
            #expect(data.map { $0["fromStageId"] as? String } == [nil, screen, review])
            #expect(data.map { $0["toStageId"] as? String } == [screen, review, review])
            #expect(data.map { $0["status"] as? String } == ["ACTIVE", "ACTIVE", "HIRED"])
            #expect(data.allSatisfy { $0["campaignId"] as? String == campaign && $0["candidateId"] as? String == ada })
            #expect(data[0]["fromStageId"] is NSNull)
        }
    }
}
