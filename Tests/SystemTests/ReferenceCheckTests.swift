import Foundation
import TestSupport
import Testing

/// The catalog checks the agents and tests that campaigns and stages name with the real
/// interviews service, as the interviews service checks jobs and candidates with the catalog.
@Suite("A campaign or stage names only its organization's agents and tests, checked across services")
struct ReferenceCheckTests {
    @Test func anotherOrganizationsAgentOrTestIsRefusedAndAnUnreachableServiceIs503() async throws {
        let platform = try await Platform.launch()
        defer { Task { _ = await platform.stop() } }
        let client = APIClient(baseURL: platform.gateway.url)
        let scopes = ["jobs:write", "campaigns:write", "campaigns:read", "stages:write", "agents:write", "tests:write"]
        let ours = try await platform.keyService.newOrganization().key(scopes).key
        let theirs = try await platform.keyService.newOrganization().key(scopes).key

        let agent = try await client.create("/api/v1/agents", ours, ["name": "Camille"])
        let test = try await client.create("/api/v1/tests", ours, ["title": "Swift basics"])
        let job = try await client.create("/api/v1/jobs", ours, ["title": "Backend engineer"])
        let campaign = try await client.create("/api/v1/campaigns", ours, ["name": "Autumn", "jobId": job, "agentId": agent])
        _ = try await client.create(
            "/api/v1/stages", ours, ["campaignId": campaign, "name": "Quiz", "type": "TEST", "testId": test, "agentId": agent])

        // Another organization cannot point at them, on create or on change.
        let theirJob = try await client.create("/api/v1/jobs", theirs, ["title": "Other"])
        let borrowed = try await client.send(
            .POST, "/api/v1/campaigns", key: theirs, body: ["name": "Borrowed", "jobId": theirJob, "agentId": agent])
        #expect(borrowed.status == 422 && borrowed.errorCode == "AGENT_NOT_FOUND", "\(borrowed.body)")
        let theirCampaign = try await client.create("/api/v1/campaigns", theirs, ["name": "Theirs", "jobId": theirJob])
        let patched = try await client.send(.PATCH, "/api/v1/campaigns/\(theirCampaign)", key: theirs, body: ["agentId": agent])
        #expect(patched.status == 422 && patched.errorCode == "AGENT_NOT_FOUND")
        let stage = try await client.send(
            .POST, "/api/v1/stages", key: theirs, body: ["campaignId": theirCampaign, "name": "Q", "type": "TEST", "testId": test])
        #expect(stage.status == 422 && stage.errorCode == "TEST_NOT_FOUND", "\(stage.body)")
        let listed = try await client.send(.GET, "/api/v1/campaigns", key: theirs)
        #expect((listed.json["pagination"] as? [String: Any])?["total"] as? Int == 1)

        // With the interviews service gone, a reference cannot be checked: 503, and nothing stored.
        let interviews = platform.processes[2]
        interviews.signal(SIGTERM)
        _ = try await interviews.waitForExit(timeout: .seconds(15))
        let unchecked = try await client.send(.POST, "/api/v1/campaigns", key: ours, body: ["name": "Later", "jobId": job, "agentId": agent])
        #expect(unchecked.status == 503 && unchecked.errorCode == "SERVICE_UNAVAILABLE" && unchecked.headers.first(name: "Retry-After") != nil)
        let ourList = try await client.send(.GET, "/api/v1/campaigns", key: ours)
        #expect((ourList.json["pagination"] as? [String: Any])?["total"] as? Int == 1)
        // What names no agent or test does not need the interviews service.
        #expect(try await client.send(.POST, "/api/v1/campaigns", key: ours, body: ["name": "Plain", "jobId": job]).status == 201)
    }
}
