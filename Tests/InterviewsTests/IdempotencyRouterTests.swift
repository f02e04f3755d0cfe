import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Interviews

@Suite("Idempotency-Key in the interviews service's router")
struct IdempotencyRouterTests {
    @Test func anAnswerOf500OrAboveIsNotKeptSoARetryRunsAgain() async throws {
        let harness = try await InterviewsHarness()
        try await harness.run { client in
            let (_, key) = try await client.organization()
            let (candidate, job, _) = try await client.catalogSetup(key: key)
            var headers: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json", .idempotencyKey: "invite-1"]
            let body = ByteBuffer(string: #"{"candidateId":"\#(candidate)","jobId":"\#(job)"}"#)
            client.catalog.isUnavailable = true
            let down = try await client.client.execute(uri: "/api/v1/interviews", method: .post, headers: headers, body: body)
            #expect(down.status == .serviceUnavailable)
            client.catalog.isUnavailable = false
            let retried = try await client.client.execute(uri: "/api/v1/interviews", method: .post, headers: headers, body: body)
            #expect(retried.status == .created && retried.headers[.idempotentReplayed] == nil)
            let replayed = try await client.client.execute(uri: "/api/v1/interviews", method: .post, headers: headers, body: body)
            #expect(replayed.status == .created && replayed.headers[.idempotentReplayed] == "true")
            #expect(String(buffer: replayed.body) == String(buffer: retried.body))
            // Only POST honours it: a GET with the header is an ordinary GET.
            headers[.contentType] = nil
            let id = json(retried)["id"] as! String
            let read = try await client.client.execute(uri: "/api/v1/interviews/\(id)", method: .get, headers: headers)
            #expect(read.status == .ok && read.headers[.idempotentReplayed] == nil)
        }
    }

    @Test func concurrentRepeatsOfAnAnsweredRequestAreAllReplaysAndA4xxIsKeptToo() async throws {
        let harness = try await InterviewsHarness()
        try await harness.run { client in
            let (_, key) = try await client.organization()
            let headers: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json", .idempotencyKey: "agent-1"]
            let body = ByteBuffer(string: #"{"name":"Camille","voice":"marin"}"#)
            let first = try await client.client.execute(uri: "/api/v1/agents", method: .post, headers: headers, body: body)
            #expect(first.status == .created, "\(String(buffer: first.body))")
            // Sixteen repeats at once, after the first was answered: every one a replay (none 409).
            let repeats = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String).self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        let answer = try await client.client.execute(uri: "/api/v1/agents", method: .post, headers: headers, body: body)
                        return (answer.status, answer.headers[.idempotentReplayed], String(buffer: answer.body))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(repeats.allSatisfy { $0.0 == .created && $0.1 == "true" && $0.2 == String(buffer: first.body) }, "\(repeats.map(\.0))")
            let listed = try await client.call(.get, "/api/v1/agents", key: key)
            #expect((json(listed)["data"] as? [Any])?.count == 1)

            // A 4xx is kept, and replayed; the request made nothing.
            var bad = headers
            bad[.idempotencyKey] = "agent-bad"
            let invalid = ByteBuffer(string: #"{"name":"A","tone":"angry"}"#)
            let refused = try await client.client.execute(uri: "/api/v1/agents", method: .post, headers: bad, body: invalid)
            #expect(refused.status == .badRequest)
            let again = try await client.client.execute(uri: "/api/v1/agents", method: .post, headers: bad, body: invalid)
            #expect(
                again.status == .badRequest && again.headers[.idempotentReplayed] == "true"
                    && String(buffer: again.body) == String(buffer: refused.body))
            #expect((json(try await client.call(.get, "/api/v1/agents", key: key))["data"] as? [Any])?.count == 1)
        }
    }
}
