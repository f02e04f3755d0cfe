import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KeyService

@Suite("The revocation log that resource services follow")
struct RevocationFeedTests {
    struct Feed: Decodable {
        struct Event: Decodable {
            let sequence: Int64
            let keyId: String
        }
        let events: [Event]
        let latest: Int64
        let reset: Bool
    }

    static let basic = "Basic " + Data("\(KeyServiceHarness.clientId):\(KeyServiceHarness.clientSecret)".utf8).base64EncodedString()

    static func feed(_ client: KeyServiceHarness.Client, _ query: String) async throws -> TestResponse {
        try await client.client.execute(uri: "/internal/revocations\(query)", method: .get, headers: [.authorization: basic])
    }

    @Test func eachRevocationAppearsOnceInOrderAfterTheReadersCursor() async throws {
        try await KeyServiceHarness().run { client in
            let start = try decode(Feed.self, try await Self.feed(client, ""))
            #expect(start.events.isEmpty && start.latest == 0 && !start.reset)
            let cookie = try await client.signedInAdmin()
            let first = try await client.createKey(cookie: cookie)
            let second = try await client.createKey(cookie: cookie)
            try await client.console(.post, "/console/api/keys/\(first.id)/revoke", cookie: cookie)
            try await client.console(.post, "/console/api/keys/\(first.id)/revoke", cookie: cookie)  // no second entry
            try await client.console(.post, "/console/api/keys/\(second.id)/revoke", cookie: cookie)
            let all = try decode(Feed.self, try await Self.feed(client, "?after=0"))
            #expect(all.events.map(\.keyId) == [first.id, second.id].map { $0.uuidString.lowercased() })
            #expect(all.latest == 2)
            let rest = try decode(Feed.self, try await Self.feed(client, "?after=1"))
            #expect(rest.events.map(\.sequence) == [2])
        }
    }

    @Test func aWaitingReaderHearsOfARevocationAtOnce() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let key = try await client.createKey(cookie: cookie)
            async let waited = Self.feed(client, "?after=0&waitSeconds=8")
            try await Task.sleep(for: .milliseconds(300))
            try await client.console(.post, "/console/api/keys/\(key.id)/revoke", cookie: cookie)
            let revokedAt = ContinuousClock.now
            let feed = try decode(Feed.self, try await waited)
            #expect(feed.events.map(\.keyId) == [key.id.uuidString.lowercased()])
            // Answered because of the revocation, before the 8 s wait ran out.
            #expect(ContinuousClock.now - revokedAt < .seconds(5))
        }
    }

    @Test func aReaderAheadOfTheLogIsToldToFlushAndStrangersAreRefused() async throws {
        try await KeyServiceHarness().run { client in
            #expect(try decode(Feed.self, try await Self.feed(client, "?after=99")).reset)
            #expect(try await Self.feed(client, "?after=-1").status == .badRequest)
            #expect(try await Self.feed(client, "?after=0&waitSeconds=9").status == .badRequest)
            let anonymous = try await client.client.execute(uri: "/internal/revocations", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }
}

extension RevocationFeedTests {
    @Test func aLongPollWithNothingNewEndsCleanlyAtItsWait() async throws {
        try await KeyServiceHarness().run { client in
            let start = ContinuousClock.now
            let response = try await Self.feed(client, "?after=0&waitSeconds=2")
            #expect(response.status == .ok)
            #expect(try decode(Feed.self, response).events.isEmpty)
            #expect(ContinuousClock.now - start >= .seconds(2))
        }
    }
}
