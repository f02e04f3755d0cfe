import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import Interviews

@Suite("Agents")
struct AgentTests {
    @Test func anAgentGetsTheContractDefaultsAndAVoiceOfItsProvider() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let agent = try await client.create("/api/v1/agents", key: key, ["name": "Camille", "voice": "marin"])
            #expect(agent["provider"] as? String == "openai" && agent["tone"] as? String == "professional")
            #expect(agent["language"] as? String == "fr" && agent["suspicionLevel"] as? Int == 1)
            #expect(agent["jobId"] is NSNull)
            let id = agent["id"] as! String
            let wrongVoice = try await client.call(.patch, "/api/v1/agents/\(id)", key: key, body: ["provider": "elevenlabs"])
            #expect(wrongVoice.status == .badRequest && apiError(wrongVoice)?.details?.first?.field == "voice")
            let switched = try await client.call(
                .patch, "/api/v1/agents/\(id)", key: key, body: ["provider": "elevenlabs", "voice": "camille", "tone": "friendly"])
            #expect(switched.status == .ok && json(switched)["voice"] as? String == "camille")
            #expect(try await client.call(.delete, "/api/v1/agents/\(id)", key: key).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/agents/\(id)", key: key).status == .notFound)
        }
    }

    @Test func badAgentFieldsAre400AndAnUnknownJobIs422() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            for (body, field) in [
                ([:] as [String: any Sendable], "name"), (["name": "A", "provider": "google"], "provider"),
                (["name": "A", "provider": "elevenlabs", "voice": "marin"], "voice"), (["name": "A", "tone": "angry"], "tone"),
                (["name": "A", "suspicionLevel": 4], "suspicionLevel"), (["name": "A", "suspicionLevel": -1], "suspicionLevel"),
                (["name": "A", "language": "french"], "language"),
            ] {
                let response = try await client.call(.post, "/api/v1/agents", key: key, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(apiError(response)?.details?.contains { $0.field == field } == true, "\(String(buffer: response.body))")
            }
            let unknownJob = try await client.call(.post, "/api/v1/agents", key: key, body: ["name": "A", "jobId": UUID().uuidString])
            #expect(unknownJob.status == .unprocessableContent && apiError(unknownJob)?.code == "JOB_NOT_FOUND")
            let (_, job, _) = try await client.catalogSetup(key: key)
            let bound = try await client.create("/api/v1/agents", key: key, ["name": "A", "jobId": job])
            #expect(bound["jobId"] as? String == job)
        }
    }
}

@Suite("Tests and assignments")
struct CandidateTestTests {
    @Test func onlyAPublishedTestIsAssignedAndOnlyOncePerCandidate() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            let (candidate, _, _) = try await client.catalogSetup(key: key)
            let test = try await client.create(
                "/api/v1/tests", key: key, ["title": "Swift basics", "type": "TECHNICAL", "difficulty": "BEGINNER", "passingScore": 60])
            #expect(test["isPublished"] as? Bool == false)
            let id = test["id"] as! String
            let draft = try await client.call(.post, "/api/v1/tests/\(id)/assign", key: key, body: ["candidateId": candidate])
            #expect(draft.status == .unprocessableContent && apiError(draft)?.code == "TEST_NOT_PUBLISHED")
            #expect(try await client.call(.patch, "/api/v1/tests/\(id)", key: key, body: ["isPublished": true]).status == .ok)
            let unknown = try await client.call(.post, "/api/v1/tests/\(id)/assign", key: key, body: ["candidateId": UUID().uuidString])
            #expect(unknown.status == .unprocessableContent && apiError(unknown)?.code == "CANDIDATE_NOT_FOUND")

            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await client.call(.post, "/api/v1/tests/\(id)/assign", key: key, body: ["candidateId": candidate]).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 4)
            let list = items(try await client.call(.get, "/api/v1/tests/\(id)/assignments", key: key))
            #expect(list.count == 1 && list[0]["status"] as? String == "INVITED")
            let again = try await client.call(.post, "/api/v1/tests/\(id)/assign", key: key, body: ["candidateId": candidate])
            #expect(apiError(again)?.code == "TEST_ALREADY_ASSIGNED")

            // The runtime records the result once; the pass mark is the test's passingScore.
            let assignment = list[0]["id"] as! String
            let done = try await client.runtime("/internal/assignments/\(assignment)/complete", body: ["score": 72])
            #expect(done.status == .ok && json(done)["passed"] as? Bool == true && json(done)["status"] as? String == "COMPLETED")
            let twice = try await client.runtime("/internal/assignments/\(assignment)/complete", body: ["score": 10])
            #expect(twice.status == .conflict && apiError(twice)?.code == "ASSIGNMENT_ALREADY_COMPLETED")
            #expect(try await client.runtime("/internal/assignments/\(assignment)/complete", body: ["score": 101]).status == .badRequest)
            #expect(try await client.runtime("/internal/assignments/\(UUID())/complete", body: ["score": 50]).status == .notFound)
            #expect(
                try await client.runtime("/internal/assignments/\(assignment)/complete", body: ["score": 50], credentials: nil).status
                    == .unauthorized)
        }
    }

    @Test func testsAreFilteredAndValidated() async throws {
        try await InterviewsHarness().run { client in
            let (_, key) = try await client.organization()
            _ = try await client.create("/api/v1/tests", key: key, ["title": "A", "type": "LOGIC", "isPublished": true])
            _ = try await client.create("/api/v1/tests", key: key, ["title": "B", "type": "LOGIC", "difficulty": "EXPERT"])
            _ = try await client.create("/api/v1/tests", key: key, ["title": "C", "type": "PERSONALITY"])
            func titles(_ query: String) async throws -> [String] {
                items(try await client.call(.get, "/api/v1/tests?\(query)", key: key)).compactMap { $0["title"] as? String }
            }
            #expect(try await titles("type=LOGIC") == ["B", "A"])
            #expect(try await titles("isPublished=true") == ["A"])
            #expect(try await titles("difficulty=EXPERT&type=LOGIC") == ["B"])
            #expect(try await client.call(.get, "/api/v1/tests?isPublished=yes", key: key).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/tests?type=QUIZ", key: key).status == .badRequest)
            for body in [
                ["title": "x", "passingScore": 101], ["title": "x", "durationMinutes": 0], ["title": "x", "isPublished": "true"], ["title": ""],
            ] as [[String: any Sendable]] {
                #expect(try await client.call(.post, "/api/v1/tests", key: key, body: body).status == .badRequest, "\(body)")
            }
        }
    }
}
