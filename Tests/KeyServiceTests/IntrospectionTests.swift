import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

@Suite("Introspection (RFC 7662)")
struct IntrospectionTests {
    struct Answer: Decodable, Equatable {
        let active: Bool
        let scope: String?
        let client_id: String?
        let org_id: String?
        let token_type: String?
        let iat: Int?
    }

    @Test func aLiveKeyIsActiveWithItsScopesAndOrganization() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let created = try await client.createKey(cookie: cookie, scopes: ["jobs:write", "jobs:read"])
            let response = try await client.introspect(try #require(created.key))
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let answer = try decode(Answer.self, response)
            #expect(answer.active)
            #expect(answer.scope == "jobs:read jobs:write")
            #expect(answer.client_id == created.id.uuidString.lowercased())
            #expect(answer.token_type == "api_key")
            #expect(answer.iat == Int(created.createdAt.timeIntervalSince1970))
            let session = try await client.console(.get, "/console/api/session", cookie: cookie)
            struct Me: Decodable {
                struct Org: Decodable { let id: UUID }
                let organization: Org
            }
            #expect(answer.org_id == (try decode(Me.self, session)).organization.id.uuidString.lowercased())
        }
    }

    @Test func aRevokedKeyIsInactiveAndSaysNothingMore() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let created = try await client.createKey(cookie: cookie)
            try await client.console(.post, "/console/api/keys/\(created.id)/revoke", cookie: cookie)
            let response = try await client.introspect(try #require(created.key))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"active":false}"#)
        }
    }

    @Test(arguments: [
        "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe",  // well formed, never issued
        "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxf",  // bad checksum
        "evk_short", "", "Bearer evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe", String(repeating: "x", count: 5000),
    ])
    func unknownOrMalformedTokensAreInactive(token: String) async throws {
        try await KeyServiceHarness().run { client in
            let response = try await client.introspect(token)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == #"{"active":false}"#)
        }
    }

    @Test(arguments: [nil, "catalog:wrong-secret-0123456789", "nobody:catalog-secret-0123456789", "catalog", "::"])
    func missingOrWrongCredentialsAre401(credentials: String?) async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let key = try #require(try await client.createKey(cookie: cookie).key)
            let response = try await client.introspect(key, credentials: credentials)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Basic realm="evalyo-internal""#)
            #expect(try errorOf(response).code == "UNAUTHORIZED")
            #expect(!String(buffer: response.body).contains("active"))
        }
    }

    @Test func eachConfiguredClientHasItsOwnSecret() async throws {
        try await KeyServiceHarness().run { client in
            let key = try #require(try await client.createKey(cookie: try await client.signedInAdmin()).key)
            #expect(try await client.introspect(key, credentials: "reports:reports-secret-0123456789abcdefghij").status == .ok)
            #expect(try await client.introspect(key, credentials: "reports:\(KeyServiceHarness.clientSecret)").status == .unauthorized)
        }
    }

    @Test func aRequestWithoutATokenIs400() async throws {
        try await KeyServiceHarness().run { client in
            let response = try await client.client.execute(
                uri: "/internal/introspect", method: .post,
                headers: [
                    .authorization: "Basic " + Data("\(KeyServiceHarness.clientId):\(KeyServiceHarness.clientSecret)".utf8).base64EncodedString()
                ],
                body: ByteBuffer(string: "token_type_hint=access_token")
            )
            #expect(response.status == .badRequest)
            #expect(try errorOf(response).details?.first?.field == "token")
        }
    }

    @Test func lastUsedAtFollowsIntrospectionWithoutAWritePerCall() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let created = try await client.createKey(cookie: cookie)
            let key = try #require(created.key)
            for _ in 0..<20 { _ = try await client.introspect(key) }
            var lastUsed: Date?
            for _ in 0..<50 where lastUsed == nil {
                try await Task.sleep(for: .milliseconds(100))
                lastUsed = try decode(
                    KeyServiceHarness.KeyBody.self, try await client.console(.get, "/console/api/keys/\(created.id)", cookie: cookie)
                ).lastUsedAt
            }
            let used = try #require(lastUsed)
            #expect(abs(used.timeIntervalSinceNow) < 10)
        }
    }

    @Test func introspectionIsNotReachableWithAConsoleSession() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let key = try #require(try await client.createKey(cookie: cookie).key)
            let response = try await client.client.execute(
                uri: "/internal/introspect", method: .post, headers: [.cookie: cookie], body: ByteBuffer(string: "token=\(key)")
            )
            #expect(response.status == .unauthorized)
        }
    }
}
