import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// The five real executables, their own databases and the real nginx gateway, driven only
/// through `http://127.0.0.1:<gateway>` (and the runtime's internal endpoints on their service).
@Suite("End to end: the whole platform, from the console to the report, through the gateway", .serialized)
struct WholeStoryTests {
    @Test func aRecruitersIntegrationRunsAnInterviewToItsReportAndARevokedKeyIsRefusedEverywhere() async throws {
        let platform = try await Platform.launch()
        let api = platform.gateway.url

        // An admin signs in to the console through the gateway and makes keys of different scopes.
        let organization = try await platform.keyService.newOrganization(consoleURL: api)
        let everything = try await organization.key(TestOrganization.allScopes)
        let recruiting = try await organization.key([
            "jobs:write", "campaigns:read", "campaigns:write", "stages:write", "candidates:write", "interviews:write", "interviews:read",
        ]).key
        let reporting = try await organization.key(["reports:read"]).key
        let client = APIClient(baseURL: api)

        // The catalog: a job, a campaign with two stages, a candidate in the campaign.
        let job = try await client.create("/api/v1/jobs", recruiting, ["title": "Backend engineer", "status": "ACTIVE"])
        let campaign = try await client.create("/api/v1/campaigns", recruiting, ["name": "Autumn hiring", "jobId": job])
        let screening = try await client.create(
            "/api/v1/stages", recruiting, ["campaignId": campaign, "name": "AI interview", "type": "AI_INTERVIEW"])
        _ = try await client.create("/api/v1/stages", recruiting, ["campaignId": campaign, "name": "Review", "type": "HUMAN_REVIEW"])
        let candidate = try await client.create("/api/v1/candidates", recruiting, ["email": "grace@example.com", "firstName": "Grace"])
        _ = try await client.create("/api/v1/campaigns/\(campaign)/candidates", recruiting, ["candidateId": candidate])
        let pipeline = try await client.send(.GET, "/api/v1/campaigns/\(campaign)/pipeline", key: recruiting)
        #expect(pipeline.status == 200 && pipeline.body.contains(candidate) && pipeline.body.contains(screening), "\(pipeline.body)")
        // Once, though both the service and the gateway set it.
        #expect(pipeline.headers["X-Content-Type-Options"] == ["nosniff"])

        // The interview, invited through the gateway and run by the agent runtime on the service itself.
        let interview = try await client.create(
            "/api/v1/interviews", recruiting, ["candidateId": candidate, "jobId": job, "campaignId": campaign, "stageId": screening]
        )
        let runtime = ("Authorization", "Basic " + Data(Platform.runtimeClient.utf8).base64EncodedString())
        let json = ("Content-Type", "application/json")
        #expect(try await HTTPExchange.send(.POST, api + "/internal/interviews/\(interview)/start", headers: [runtime]).status == 404)
        let internalBase = platform.interviewsURL + "/internal/interviews/\(interview)"
        #expect(try await HTTPExchange.send(.POST, internalBase + "/start", headers: [runtime]).status == 200)
        for (role, content) in [("AGENT", "Tell me about a system you built."), ("CANDIDATE", "A payments ledger in Swift.")] {
            let turn = try await HTTPExchange.send(
                .POST, internalBase + "/turns", headers: [runtime, json], body: #"{"role":"\#(role)","content":"\#(content)"}"#)
            #expect(turn.status == 201, "\(turn.body)")
        }
        let reportBeforeCompletion = try await client.send(.GET, "/api/v1/reports/interviews/\(interview)", key: reporting)
        #expect(reportBeforeCompletion.status == 404 && reportBeforeCompletion.errorCode == "NOT_FOUND")
        let completed = try await HTTPExchange.send(
            .POST, internalBase + "/complete", headers: [runtime, json],
            body:
                #"{"score":84,"recommendation":"STRONG_HIRE","summary":"Clear and deep","strengths":["design"],"weaknesses":["testing"],"criteria":[{"name":"Architecture","score":90,"comment":"solid"}]}"#
        )
        #expect(completed.status == 200, "\(completed.body)")

        // The report reaches the reports service on its own, and reads through the gateway.
        let report = try await client.eventually("/api/v1/reports/interviews/\(interview)", key: reporting, status: 200)
        #expect(report.json["score"] as? Int == 84)
        #expect(report.json["candidateId"] as? String == candidate && report.json["campaignId"] as? String == campaign)
        #expect((report.json["transcript"] as? [[String: Any]])?.count == 2)
        let reports = try await client.send(.GET, "/api/v1/reports?candidateId=\(candidate)", key: reporting)
        #expect((reports.json["pagination"] as? [String: Any])?["total"] as? Int == 1)

        // 401, 403 and 404 along the way, in the API's error shape.
        let anonymous = try await HTTPExchange.send(.GET, api + "/api/v1/reports")
        #expect(anonymous.status == 401 && anonymous.errorCode == "UNAUTHORIZED")
        #expect(anonymous.headers.first(name: "WWW-Authenticate") == #"Bearer realm="evalyo""#)
        let forged = try await client.send(.GET, "/api/v1/interviews", key: "evk_" + String(repeating: "A", count: 36))
        #expect(forged.status == 401)
        let wrongScope = try await client.send(.GET, "/api/v1/reports/\(UUID())", key: recruiting)
        #expect(wrongScope.status == 403 && wrongScope.headers.first(name: "WWW-Authenticate")?.contains(#"scope="reports:read""#) == true)
        let readOnly = try await client.send(.POST, "/api/v1/jobs", key: reporting, body: ["title": "x"])
        #expect(readOnly.status == 403 && readOnly.errorCode == "FORBIDDEN")
        let otherOrganization = try await platform.keyService.newOrganization(consoleURL: api).keyWithEveryScope()
        for path in ["/api/v1/jobs/\(job)", "/api/v1/interviews/\(interview)", "/api/v1/reports/interviews/\(interview)"] {
            let hidden = try await client.send(.GET, path, key: otherOrganization)
            #expect(hidden.status == 404 && hidden.errorCode == "NOT_FOUND", "\(path): \(hidden.body)")
        }
        // An unknown path under /api/: the key first (401 without one), then 404.
        let unknownPath = try await HTTPExchange.send(.GET, api + "/api/v2/jobs")
        #expect(unknownPath.status == 401 && unknownPath.errorCode == "UNAUTHORIZED")
        let unknownWithKey = try await client.send(.GET, "/api/v2/jobs", key: reporting)
        #expect(unknownWithKey.status == 404 && unknownWithKey.errorCode == "NOT_FOUND")

        // Revocation: every service refuses the key (push revocation; the cache bound is 10 s).
        let paths = ["/api/v1/jobs", "/api/v1/interviews", "/api/v1/reports"]
        for path in paths {
            #expect(try await client.send(.GET, path, key: everything.key).status == 200)
        }
        try await organization.revoke(everything.id)
        for path in paths {
            let refused = try await client.eventually(path, key: everything.key, status: 401)
            #expect(refused.headers.first(name: "WWW-Authenticate") == #"Bearer realm="evalyo", error="invalid_token""#)
        }
        #expect(try await client.send(.GET, "/api/v1/campaigns", key: recruiting).status == 200)

        // Every service drains and exits 0; no key reached the gateway's log or a service's.
        let everyKey = [everything.key, recruiting, reporting, otherOrganization]
        let logs = platform.processes.map(\.output) + [platform.gateway.accessLog]
        #expect(await platform.stop() == [0, 0, 0, 0, 0])
        for key in everyKey {
            #expect(!logs.contains { $0.contains(key.dropFirst(8)) })
        }
    }
}

/// Calls to the public API with a bearer key.
struct APIClient {
    let baseURL: String

    /// Sends a request with `key`, and `body` as JSON when given.
    func send(_ method: HTTPMethod, _ path: String, key: String, body: [String: any Sendable]? = nil, headers extra: [(String, String)] = [])
        async throws -> HTTPExchange
    {
        var headers = [("Authorization", "Bearer \(key)")] + extra
        var text: String?
        if let body {
            headers.append(("Content-Type", "application/json"))
            text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        }
        return try await HTTPExchange.send(method, baseURL + path, headers: headers, body: text)
    }

    /// Creates a resource and returns its id (or the candidate's id, for a campaign membership).
    func create(_ path: String, _ key: String, _ body: [String: any Sendable]) async throws -> String {
        let answer = try await send(.POST, path, key: key, body: body)
        guard answer.status == 201, let id = answer.json["id"] as? String ?? answer.json["candidateId"] as? String else {
            throw TestSetupError("POST \(path): \(answer.status) \(answer.body)")
        }
        return id
    }

    /// GETs `path` until it answers `status`, for at most five seconds; returns the last answer.
    func eventually(_ path: String, key: String, status: Int) async throws -> HTTPExchange {
        let deadline = ContinuousClock.now + .seconds(5)
        var answer = try await send(.GET, path, key: key)
        while answer.status != status, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            answer = try await send(.GET, path, key: key)
        }
        #expect(answer.status == status, "GET \(path): \(answer.body)")
        return answer
    }
}
