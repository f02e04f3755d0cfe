import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Catalog

/// Every id a campaign or stage names belongs to the caller's organization (the agent and test
/// checked with the interviews service), or nothing is stored.
@Suite("A campaign's and a stage's agent and test are the organization's")
struct ReferenceCheckTests {
    @Test(arguments: ["campaign", "stage"])
    func anAgentOfAnotherOrganizationOrNoneIs422AndNothingIsStored(owner: String) async throws {
        try await CatalogHarness().run { client in
            let (organization, key) = try await client.organization()
            let (other, _) = try await client.organization()
            let ours = client.interviews.addAgent(organizationId: UUID(uuidString: organization.id)!)
            let theirs = client.interviews.addAgent(organizationId: UUID(uuidString: other.id)!)
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            let (path, base): (String, [String: any Sendable]) =
                owner == "campaign"
                ? ("/api/v1/campaigns", ["name": "D", "jobId": job])
                : ("/api/v1/stages", ["campaignId": campaign, "name": "S", "type": "AI_INTERVIEW"])
            func count() async throws -> Int {
                let list = owner == "campaign" ? "/api/v1/campaigns" : "/api/v1/stages?campaignId=\(campaign)"
                return (json(try await client.call(.get, list, key: key))["pagination"] as? [String: Any])?["total"] as? Int ?? -1
            }
            let before = try await count()
            for foreign in [theirs, UUID()] {
                let refused = try await client.call(.post, path, key: key, body: base.merging(["agentId": foreign.apiString]) { $1 })
                #expect(
                    refused.status == .unprocessableContent && apiError(refused)?.code == "AGENT_NOT_FOUND",
                    "\(owner): \(String(buffer: refused.body))")
            }
            #expect(try await count() == before)
            let created = try await client.create(path, key: key, base.merging(["agentId": ours.apiString]) { $1 })
            #expect(created["agentId"] as? String == ours.apiString)
            let id = try #require(created["id"] as? String)
            // A PATCH is checked the same way, and leaves the stored agent as it was.
            let patched = try await client.call(.patch, "\(path)/\(id)", key: key, body: ["agentId": theirs.apiString])
            #expect(patched.status == .unprocessableContent && apiError(patched)?.code == "AGENT_NOT_FOUND")
            #expect(json(try await client.call(.get, "\(path)/\(id)", key: key))["agentId"] as? String == ours.apiString)
            #expect(try await client.call(.patch, "\(path)/\(id)", key: key, body: ["agentId": NSNull()]).status == .ok)
            // When the interviews service cannot answer, nothing is taken for a yes: 503, not stored.
            client.interviews.setReachable(false)
            let unchecked = try await client.call(.post, path, key: key, body: base.merging(["agentId": ours.apiString]) { $1 })
            #expect(
                unchecked.status == .serviceUnavailable && unchecked.headers[.retryAfter] != nil && apiError(unchecked)?.code == "SERVICE_UNAVAILABLE"
            )
            let uncheckedPatch = try await client.call(.patch, "\(path)/\(id)", key: key, body: ["agentId": ours.apiString])
            #expect(uncheckedPatch.status == .serviceUnavailable)
            #expect(json(try await client.call(.get, "\(path)/\(id)", key: key))["agentId"] is NSNull)
            // Without an agent or test, the interviews service is not asked.
            #expect(try await client.call(.patch, "\(path)/\(id)", key: key, body: ["name": "Renamed"]).status == .ok)
            #expect(try await count() == before + 1)
        }
    }

    @Test func aStagesTestMustBeTheOrganizations() async throws {
        try await CatalogHarness().run { client in
            let (organization, key) = try await client.organization()
            let (other, _) = try await client.organization()
            let ours = client.interviews.addTest(organizationId: UUID(uuidString: organization.id)!)
            let theirs = client.interviews.addTest(organizationId: UUID(uuidString: other.id)!)
            let job = try await client.create("/api/v1/jobs", key: key, ["title": "J"])["id"] as! String
            let campaign = try await client.create("/api/v1/campaigns", key: key, ["name": "C", "jobId": job])["id"] as! String
            let base: [String: any Sendable] = ["campaignId": campaign, "name": "Quiz", "type": "TEST"]
            for foreign in [theirs, UUID()] {
                let refused = try await client.call(.post, "/api/v1/stages", key: key, body: base.merging(["testId": foreign.apiString]) { $1 })
                #expect(refused.status == .unprocessableContent && apiError(refused)?.code == "TEST_NOT_FOUND")
            }
            let stage = try await client.create("/api/v1/stages", key: key, base.merging(["testId": ours.apiString]) { $1 })["id"] as! String
            let patched = try await client.call(.patch, "/api/v1/stages/\(stage)", key: key, body: ["testId": theirs.apiString])
            #expect(patched.status == .unprocessableContent && apiError(patched)?.code == "TEST_NOT_FOUND")
            #expect(json(try await client.call(.get, "/api/v1/stages/\(stage)", key: key))["testId"] as? String == ours.apiString)
        }
    }
}
