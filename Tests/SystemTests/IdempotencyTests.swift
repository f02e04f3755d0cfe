import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// `Idempotency-Key` on every POST (docs/api-guide.md, "Safe retries"), against the real processes behind the gateway.
@Suite("Safe retries: a POST with an Idempotency-Key does its work once", .serialized)
struct IdempotencyTests {
    /// The platform with answers kept `retention` seconds, an organization and a key with every scope.
    static func start(retention: Int = 86_400) async throws -> (Platform, TestOrganization, String, APIClient) {
        let platform = try await Platform.launch(resourceEnvironment: ["IDEMPOTENCY_RETENTION_SECONDS": String(retention)])
        let organization = try await platform.keyService.newOrganization()
        return (platform, organization, try await organization.keyWithEveryScope(), APIClient(baseURL: platform.gateway.url))
    }

    static func total(_ client: APIClient, _ path: String, key: String) async throws -> Int? {
        (try await client.send(.GET, path, key: key).json["pagination"] as? [String: Any])?["total"] as? Int
    }

    @Test func aRetryIsAnsweredAgainWithoutDoingAnythingTwiceAndAnotherBodyIsRefused() async throws {
        let (platform, organization, key, client) = try await Self.start()
        let body: [String: any Sendable] = ["email": "ada@example.com", "firstName": "Ada"]
        let retry = [("Idempotency-Key", "create-ada-1")]
        let first = try await client.send(.POST, "/api/v1/candidates", key: key, body: body, headers: retry)
        #expect(first.status == 201 && first.headers.first(name: "Idempotent-Replayed") == nil, "\(first.body)")
        let again = try await client.send(.POST, "/api/v1/candidates", key: key, body: body, headers: retry)
        #expect(again.status == 201 && again.headers.first(name: "Idempotent-Replayed") == "true")
        #expect(again.json["id"] as? String == first.json["id"] as? String && again.body == first.body)
        #expect(again.headers.first(name: "Location") == first.headers.first(name: "Location") && again.headers.first(name: "Location") != nil)
        #expect(try await Self.total(client, "/api/v1/candidates", key: key) == 1)

        // Another body, method or path with the same key is the client's mistake: 422.
        let otherBody = try await client.send(.POST, "/api/v1/candidates", key: key, body: ["email": "bob@example.com"], headers: retry)
        #expect(otherBody.status == 422 && otherBody.errorCode == "IDEMPOTENCY_KEY_REUSED")
        let otherPath = try await client.send(.POST, "/api/v1/jobs", key: key, body: body, headers: retry)
        #expect(otherPath.status == 422 && otherPath.errorCode == "IDEMPOTENCY_KEY_REUSED")
        // A 4xx answer is kept too: the same mistake answers the same.
        let duplicate = [("Idempotency-Key", "create-ada-2")]
        let conflict = try await client.send(.POST, "/api/v1/candidates", key: key, body: body, headers: duplicate)
        #expect(conflict.status == 409 && conflict.errorCode == "EMAIL_ALREADY_EXISTS")
        let conflictAgain = try await client.send(.POST, "/api/v1/candidates", key: key, body: body, headers: duplicate)
        #expect(
            conflictAgain.status == 409 && conflictAgain.headers.first(name: "Idempotent-Replayed") == "true",
            "\(conflictAgain.status) \(conflictAgain.headers) \(conflictAgain.body)")
        // Empty or longer than 255 characters: 400; no header at all: an ordinary request.
        for bad in ["", String(repeating: "k", count: 256)] {
            let refused = try await client.send(.POST, "/api/v1/jobs", key: key, body: ["title": "x"], headers: [("Idempotency-Key", bad)])
            #expect(refused.status == 400 && refused.errorCode == "VALIDATION_ERROR", "\(bad.prefix(8)): \(refused.status)")
        }

        // Another organization's same key is its own.
        let stranger = try await platform.keyService.newOrganization().keyWithEveryScope()
        let theirs = try await client.send(.POST, "/api/v1/candidates", key: stranger, body: body, headers: retry)
        #expect(
            theirs.status == 201 && theirs.headers.first(name: "Idempotent-Replayed") == nil
                && theirs.json["id"] as? String != first.json["id"] as? String)
        _ = organization
        _ = await platform.stop()
    }

    @Test func eightConcurrentRequestsWithOneKeyCreateOneObject() async throws {
        let (platform, _, key, client) = try await Self.start()
        let answers = try await withThrowingTaskGroup(of: HTTPExchange.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await client.send(
                        .POST, "/api/v1/jobs", key: key, body: ["title": "Data engineer"], headers: [("Idempotency-Key", "job-once")])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let created = answers.filter { $0.status == 201 }
        let inUse = answers.filter { $0.status == 409 && $0.errorCode == "IDEMPOTENCY_KEY_IN_USE" }
        #expect(created.count + inUse.count == 8, "\(answers.map { "\($0.status) \($0.errorCode ?? "")" })")
        #expect(Set(created.compactMap { $0.json["id"] as? String }).count == 1)
        #expect(created.filter { $0.headers.first(name: "Idempotent-Replayed") == nil }.count == 1)
        #expect(try await Self.total(client, "/api/v1/jobs", key: key) == 1)
        _ = await platform.stop()
    }

    @Test func aRetriedInvitationInvitesOnceAndKeptAnswersExpire() async throws {
        let (platform, _, key, client) = try await Self.start(retention: 2)
        let candidate = try await client.create("/api/v1/candidates", key, ["email": "grace@example.com"])
        let job = try await client.create("/api/v1/jobs", key, ["title": "Engineer", "status": "ACTIVE"])
        let invite = ["candidateId": candidate, "jobId": job]
        let retry = [("Idempotency-Key", "invite-grace")]
        let first = try await client.send(.POST, "/api/v1/interviews", key: key, body: invite, headers: retry)
        #expect(first.status == 201 && first.json["status"] as? String == "INVITED", "\(first.body)")
        let again = try await client.send(.POST, "/api/v1/interviews", key: key, body: invite, headers: retry)
        #expect(
            again.status == 201 && again.headers.first(name: "Idempotent-Replayed") == "true"
                && again.json["id"] as? String == first.json["id"] as? String,
            "\(again.status) \(again.headers) \(again.body)")
        #expect(try await Self.total(client, "/api/v1/interviews", key: key) == 1)

        // After the retention the key is forgotten: the same request runs again.
        try await Task.sleep(for: .seconds(3))
        let later = try await client.send(.POST, "/api/v1/interviews", key: key, body: invite, headers: retry)
        #expect(
            later.status == 201 && later.headers.first(name: "Idempotent-Replayed") == nil
                && later.json["id"] as? String != first.json["id"] as? String)
        #expect(try await Self.total(client, "/api/v1/interviews", key: key) == 2)
        _ = await platform.stop()
    }
}
