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
}
