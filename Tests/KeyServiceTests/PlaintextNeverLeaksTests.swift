import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KeyService

@Suite("A key's plaintext never leaves its creation response")
struct PlaintextNeverLeaksTests {
    @Test func noLaterResponseAndNoLogLineContainsTheKey() async throws {
        let harness = try await KeyServiceHarness(environment: ["LOG_LEVEL": "trace"])
        let key = try await Self.exercise(harness)
        let secret = String(key.dropFirst(8))  // everything past the display prefix
        let lines = harness.logs.all
        #expect(lines.count > 20)
        #expect(lines.allSatisfy { !$0.contains(secret) }, "a log line holds the key")
        #expect(lines.contains { $0.contains("api key created") })
    }

    /// Runs the key through every path that touches it; checks each response; returns the key.
    static func exercise(_ harness: KeyServiceHarness) async throws -> String {
        let box = KeyBox()
        try await harness.run { client in
            let cookie = try await client.signedInAdmin()
            let created = try await client.createKey(cookie: cookie, scopes: ["jobs:read", "reports:read"])
            let key = try #require(created.key)
            box.key = key
            let secret = String(key.dropFirst(8))
            var responses: [TestResponse] = []
            responses.append(try await client.console(.get, "/console/api/keys", cookie: cookie))
            responses.append(try await client.console(.get, "/console/api/keys/\(created.id)", cookie: cookie))
            responses.append(try await client.introspect(key))
            responses.append(try await client.introspect(key, credentials: "catalog:nope-nope-nope-nope"))
            responses.append(try await client.console(.patch, "/console/api/keys/\(created.id)", cookie: cookie, body: ["name": "renamed"]))
            responses.append(try await client.console(.patch, "/console/api/keys/\(created.id)", cookie: cookie, body: ["scopes": [key]]))
            responses.append(try await client.console(.post, "/console/api/keys", cookie: cookie, body: ["name": "x", "scopes": [key]]))
            responses.append(try await client.console(.post, "/console/api/keys/\(created.id)/revoke", cookie: cookie))
            responses.append(try await client.introspect(key))
            responses.append(try await client.console(.get, "/console/api/audit-events", cookie: cookie))
            responses.append(try await client.client.execute(uri: "/console/api/keys?token=\(key)", method: .get))
            responses.append(try await client.client.execute(uri: "/metrics", method: .get))
            for (index, response) in responses.enumerated() {
                let text = String(buffer: response.body) + response.headers.map { "\($0.name): \($0.value)" }.joined()
                #expect(!text.contains(secret), "response \(index) holds the key")
            }
            #expect(responses[6].status == .badRequest)
            // Wait past one usage flush so its log lines are included.
            try await Task.sleep(for: .milliseconds(1500))
        }
        return box.key
    }

    final class KeyBox: @unchecked Sendable {
        var key = ""
    }
}
