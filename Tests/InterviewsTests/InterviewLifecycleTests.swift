import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Interviews

@Suite("Interviews: creation rules and the whole lifecycle")
struct InterviewLifecycleTests {
    @Test func anInvitationDefaultsToSevenDaysAndADraftWhenNotSent() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, campaign) = try await client.catalogSetup(key: key)
            let response = try await client.call(
                .post, "/api/v1/interviews", key: key, body: ["candidateId": candidate, "jobId": job, "campaignId": campaign])
            #expect(response.status == .created)
            let invited = json(response)
            #expect(invited["status"] as? String == "INVITED")
            let expiry = try #require(ISODate.parse(invited["expiresAt"] as? String ?? ""))
            #expect(abs(expiry.timeIntervalSinceNow - 7 * 24 * 3600) < 60)
            #expect(response.headers[.location] == "/api/v1/interviews/\(invited["id"] as! String)")
            let draft = try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job, "sendInvite": false])
            #expect(draft["status"] as? String == "DRAFT" && draft["invitedAt"] is NSNull)
        }
    }

    @Test func eachCatalogFactHasItsNamedError() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, campaign) = try await client.catalogSetup(key: key)
            let (_, closedJob, _) = try await client.catalogSetup(key: key, jobStatus: "CLOSED")
            let outsider = try client.newCandidate(key: key)
            let cases: [([String: any Sendable], HTTPResponse.Status, String)] = [
                (["candidateId": UUID().uuidString, "jobId": job], .unprocessableContent, "CANDIDATE_NOT_FOUND"),
                (["candidateId": candidate, "jobId": UUID().uuidString], .unprocessableContent, "JOB_NOT_FOUND"),
                (["candidateId": candidate, "jobId": closedJob], .unprocessableContent, "JOB_CLOSED"),
                (["candidateId": outsider, "jobId": job, "campaignId": campaign], .unprocessableContent, "CANDIDATE_NOT_IN_CAMPAIGN"),
                (["candidateId": candidate, "jobId": job, "expiresAt": "2020-01-01T00:00:00Z"], .unprocessableContent, "INVALID_EXPIRY"),
                (["candidateId": candidate, "jobId": job, "agentId": UUID().uuidString], .unprocessableContent, "AGENT_NOT_FOUND"),
                (["candidateId": candidate], .badRequest, "VALIDATION_ERROR"),
                (["candidateId": "nope", "jobId": job], .badRequest, "VALIDATION_ERROR"),
                (["candidateId": candidate, "jobId": job, "expiresAt": "tomorrow"], .badRequest, "VALIDATION_ERROR"),
                // Blank is not a date-time either (the document's format); beyond a year is the business rule.
                (["candidateId": candidate, "jobId": job, "expiresAt": ""], .badRequest, "VALIDATION_ERROR"),
                (["candidateId": candidate, "jobId": job, "expiresAt": "2099-01-01T00:00:00Z"], .unprocessableContent, "INVALID_EXPIRY"),
                (["candidateId": candidate, "jobId": job, "sendInvite": "yes"], .badRequest, "VALIDATION_ERROR"),
            ]
            for (body, status, code) in cases {
                let response = try await client.call(.post, "/api/v1/interviews", key: key, body: body)
                #expect(response.status == status && apiError(response)?.code == code, "\(body): \(String(buffer: response.body))")
            }
            #expect(items(try await client.call(.get, "/api/v1/interviews", key: key)).isEmpty)
        }
    }

    @Test func theRuntimeDrivesAnInterviewToCompletedWithTranscriptAndEvaluation() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, campaign) = try await client.catalogSetup(key: key)
            let agent = try await client.create("/api/v1/agents", key: key, ["name": "Nova", "voice": "nova"])["id"] as! String
            let id =
                try await client.create(
                    "/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job, "campaignId": campaign, "agentId": agent])["id"]
                as! String

            #expect(try await client.runtime("/internal/interviews/\(id)/start", credentials: nil).status == .unauthorized)
            #expect(
                try await client.runtime("/internal/interviews/\(id)/start", credentials: "runtime:wrong-secret-0123456789").status == .unauthorized)
            let early = try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "AGENT", "content": "Hello"])
            #expect(early.status == .conflict && apiError(early)?.code == "INTERVIEW_NOT_STARTED")
            let started = try await client.runtime("/internal/interviews/\(id)/start")
            #expect(started.status == .ok && json(started)["status"] as? String == "IN_PROGRESS")
            #expect(apiError(try await client.runtime("/internal/interviews/\(id)/start"))?.code == "INTERVIEW_IN_PROGRESS")
            #expect(
                try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "AGENT", "content": "Hello, tell me about Swift."]).status
                    == .created)
            #expect(
                try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "CANDIDATE", "content": "It is safe and fast."]).status
                    == .created)
            #expect(try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "SYSTEM", "content": "x"]).status == .badRequest)
            #expect(try await client.runtime("/internal/interviews/\(id)/turns", body: ["role": "AGENT", "content": ""]).status == .badRequest)
            #expect(try await client.runtime("/internal/interviews/\(id)/complete", body: ["score": 120]).status == .badRequest)
            #expect(
                try await client.runtime(
                    "/internal/interviews/\(id)/complete", body: ["score": 80, "criteria": [["score": 5] as [String: any Sendable]]]
                ).status == .badRequest)

            let evaluation: [String: any Sendable] = [
                "score": 81, "recommendation": "HIRE", "summary": "Strong.", "strengths": ["clarity"], "weaknesses": ["depth"],
                "criteria": [["name": "Swift", "score": 85, "comment": "Good"] as [String: any Sendable]],
            ]
            let outcomes = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 { group.addTask { try await client.runtime("/internal/interviews/\(id)/complete", body: evaluation).status } }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(outcomes.sorted { $0.code < $1.code } == [.ok, .conflict])

            let detail = json(try await client.call(.get, "/api/v1/interviews/\(id)", key: key))
            #expect(detail["status"] as? String == "COMPLETED")
            let transcript = try #require(detail["transcript"] as? [[String: Any]])
            #expect(transcript.map { $0["role"] as? String } == ["AGENT", "CANDIDATE"])
            #expect(transcript.map { $0["sequence"] as? Int } == [1, 2])
            let result = try #require(detail["evaluation"] as? [String: Any])
            #expect(result["score"] as? Int == 81 && (result["criteria"] as? [[String: Any]])?.first?["name"] as? String == "Swift")

            let cancel = try await client.call(.post, "/api/v1/interviews/\(id)/cancel", key: key)
            #expect(cancel.status == .conflict && apiError(cancel)?.code == "INTERVIEW_ALREADY_COMPLETED")
            #expect(apiError(try await client.runtime("/internal/interviews/\(id)/start"))?.code == "INTERVIEW_ALREADY_COMPLETED")
            #expect(try await client.runtime("/internal/interviews/\(UUID())/start").status == .notFound)
        }
    }

    @Test func cancelledAndExpiredInterviewsRefuseTransitions() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, _) = try await client.catalogSetup(key: key)
            let draft =
                try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job, "sendInvite": false])["id"]
                as! String
            #expect(apiError(try await client.runtime("/internal/interviews/\(draft)/start"))?.code == "INTERVIEW_NOT_INVITED")
            let cancelled = try await client.call(.post, "/api/v1/interviews/\(draft)/cancel", key: key)
            #expect(cancelled.status == .ok && json(cancelled)["status"] as? String == "CANCELLED")
            #expect(apiError(try await client.runtime("/internal/interviews/\(draft)/complete", body: ["score": 50]))?.code == "INTERVIEW_CANCELLED")
            #expect(try await client.call(.post, "/api/v1/interviews/\(draft)/cancel", key: key).status == .conflict)

            let soon = Date().addingTimeInterval(4).formatted(.iso8601)
            let expiring =
                try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job, "expiresAt": soon])["id"] as! String
            #expect(items(try await client.call(.get, "/api/v1/interviews?status=INVITED", key: key)).count == 1)
            try await Task.sleep(for: .seconds(4.5))
            #expect(json(try await client.call(.get, "/api/v1/interviews/\(expiring)", key: key))["status"] as? String == "EXPIRED")
            #expect(items(try await client.call(.get, "/api/v1/interviews?status=EXPIRED", key: key)).map { $0["id"] as? String } == [expiring])
            #expect(items(try await client.call(.get, "/api/v1/interviews?status=INVITED", key: key)).isEmpty)
            #expect(apiError(try await client.runtime("/internal/interviews/\(expiring)/start"))?.code == "INTERVIEW_EXPIRED")
            #expect(apiError(try await client.call(.post, "/api/v1/interviews/\(expiring)/cancel", key: key))?.code == "INTERVIEW_EXPIRED")
        }
    }

    @Test func listsFilterByJobCampaignCandidateAndStatus() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, campaign) = try await client.catalogSetup(key: key)
            let (other, otherJob, _) = try await client.catalogSetup(key: key)
            _ = try await client.create("/api/v1/interviews", key: key, ["candidateId": candidate, "jobId": job, "campaignId": campaign])
            _ = try await client.create("/api/v1/interviews", key: key, ["candidateId": other, "jobId": otherJob, "sendInvite": false])
            #expect(items(try await client.call(.get, "/api/v1/interviews?jobId=\(job)", key: key)).count == 1)
            #expect(items(try await client.call(.get, "/api/v1/interviews?campaignId=\(campaign)", key: key)).count == 1)
            #expect(items(try await client.call(.get, "/api/v1/interviews?candidateId=\(other)", key: key)).count == 1)
            #expect(items(try await client.call(.get, "/api/v1/interviews?status=DRAFT", key: key)).count == 1)
            #expect(try await client.call(.get, "/api/v1/interviews?status=DONE", key: key).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/interviews?jobId=nope", key: key).status == .badRequest)
        }
    }
}
