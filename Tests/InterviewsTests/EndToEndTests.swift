import Foundation
import NIOHTTP1
import Shared
import TestSupport
import Testing

/// The built `key-service`, `catalog` and `interviews` executables behind nginx, over real sockets.
@Suite("End to end: inviting a candidate and driving the interview to COMPLETED", .serialized)
struct InterviewsEndToEndTests {
    static let runtimeSecret = "runtime-e2e-secret-0123456789abcdef"

    @Test func anIntegrationKeyInvitesACandidateAndTheRuntimeCompletesTheInterview() async throws {
        let (keyProcess, keyService) = try await KeyServiceFixture.launch()
        let (catalogProcess, catalog) = try await CatalogFixture.launch(keyService: keyService)
        let port = try freePort()
        let interviews = try ChildProcess(
            ChildProcess.binDirectory.appendingPathComponent("interviews"),
            environment: [
                "DATABASE_URL": try await TestDatabase.create(), "PORT": String(port), "HOST": "127.0.0.1",
                "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
                "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "CATALOG_URL": catalog.baseURL,
                "CATALOG_CLIENT_ID": CatalogFixture.clientId, "CATALOG_CLIENT_SECRET": CatalogFixture.clientSecret,
                "INTERNAL_CLIENTS": "runtime:\(Self.runtimeSecret)", "REPORTS_URL": "http://127.0.0.1:1",
                "REPORTS_CLIENT_SECRET": "reports-test-secret-0123456789abcdef",
            ].merging(Platform.noWebhooks) { $1 }
        )
        interviews.stopWhenTestsExit()
        let direct = "http://127.0.0.1:\(port)"
        try await HTTPExchange.waitUntilUp(direct + "/readyz")
        func portOf(_ url: String) -> Int { Int(url.split(separator: ":").last!)! }
        let gateway = try Gateway(keyServicePort: portOf(keyService.baseURL), catalogPort: portOf(catalog.baseURL), interviewsPort: port)
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")

        // A recruiter sets up the campaign; the integration gets a key with two scopes only.
        let organization = try await keyService.newOrganization()
        let admin = try await organization.keyWithEveryScope()
        let integration = try await organization.key(["interviews:write", "candidates:read"]).key
        let candidate = try await catalog.create("/api/v1/candidates", key: admin, ["email": "ada@example.com", "firstName": "Ada"])
        let job = try await catalog.create("/api/v1/jobs", key: admin, ["title": "Engineer", "status": "ACTIVE"])
        let campaign = try await catalog.create("/api/v1/campaigns", key: admin, ["name": "Spring", "jobId": job])
        _ = try await catalog.create("/api/v1/campaigns/\(campaign)/candidates", key: admin, ["candidateId": candidate])

        let json = ("Content-Type", "application/json")
        let bearer = ("Authorization", "Bearer \(integration)")
        let found = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/candidates?campaignId=\(campaign)", headers: [bearer])
        #expect(found.status == 200 && (found.json["data"] as? [[String: Any]])?.count == 1)
        let invited = try await HTTPExchange.send(
            .POST, gateway.url + "/api/v1/interviews", headers: [bearer, json, ("X-Request-Id", "e2e-invite")],
            body: #"{"candidateId":"\#(candidate)","jobId":"\#(job)","campaignId":"\#(campaign)"}"#
        )
        #expect(invited.status == 201, "\(invited.body)")
        #expect(invited.json["status"] as? String == "INVITED")
        let id = try #require(invited.json["id"] as? String)
        let reading = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/interviews/\(id)", headers: [bearer])
        #expect(reading.status == 403)

        // The agent runtime drives it, on the service's own port: the gateway hides /internal/.
        let runtime = ("Authorization", "Basic " + Data("runtime:\(Self.runtimeSecret)".utf8).base64EncodedString())
        #expect(try await HTTPExchange.send(.POST, gateway.url + "/internal/interviews/\(id)/start", headers: [runtime]).status == 404)
        #expect(try await HTTPExchange.send(.POST, direct + "/internal/interviews/\(id)/start", headers: [runtime]).status == 200)
        let turn = try await HTTPExchange.send(
            .POST, direct + "/internal/interviews/\(id)/turns", headers: [runtime, json], body: #"{"role":"AGENT","content":"Welcome"}"#)
        #expect(turn.status == 201)
        let done = try await HTTPExchange.send(
            .POST, direct + "/internal/interviews/\(id)/complete", headers: [runtime, json],
            body:
                #"{"score":77,"recommendation":"HIRE","summary":"Good","strengths":["clear"],"weaknesses":[],"criteria":[{"name":"Swift","score":80,"comment":"ok"}]}"#
        )
        #expect(done.status == 200 && done.json["status"] as? String == "COMPLETED")

        let detail = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/interviews/\(id)", headers: [("Authorization", "Bearer \(admin)")])
        #expect(detail.json["status"] as? String == "COMPLETED")
        #expect((detail.json["evaluation"] as? [String: Any])?["score"] as? Int == 77)
        #expect((detail.json["transcript"] as? [[String: Any]])?.count == 1)

        interviews.signal(SIGTERM)
        #expect(try await interviews.waitForExit(timeout: .seconds(15)) == 0)
        #expect(interviews.output.contains(#""request_id":"e2e-invite""#))
        await gateway.stop()
        catalogProcess.signal(SIGTERM)
        keyProcess.signal(SIGTERM)
    }
}
