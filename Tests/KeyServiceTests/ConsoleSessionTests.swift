import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

@testable import KeyService

@Suite("Console sign-in and sessions")
struct ConsoleSessionTests {
    @Test func signingInSetsAStrictHttpOnlyCookie() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization("Acme")
            let response = try await client.console(
                .post, "/console/api/session", cookie: nil, body: ["email": email.uppercased(), "password": KeyServiceHarness.password])
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.hasPrefix("evalyo_session="))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(cookie.contains("Path=/console"))
            #expect(cookie.contains("Max-Age=28800"))
            struct Body: Decodable {
                struct Org: Decodable { let name: String }
                let organization: Org
                let expiresAt: Date
            }
            #expect(try decode(Body.self, response).organization.name == "Acme")
        }
    }

    @Test func theCookieIsSecureUnlessConfiguredOff() async throws {
        try await KeyServiceHarness(environment: ["CONSOLE_SECURE_COOKIE": "true"]).run { client in
            let email = try await client.createOrganization()
            let response = try await client.console(
                .post, "/console/api/session", cookie: nil, body: ["email": email, "password": KeyServiceHarness.password])
            #expect(response.headers[.setCookie]?.contains("Secure") == true)
        }
    }

    @Test func aWrongPasswordOrUnknownEmailIs401WithTheSameMessage() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let wrong = try await client.console(.post, "/console/api/session", cookie: nil, body: ["email": email, "password": "not the password"])
            let unknown = try await client.console(
                .post, "/console/api/session", cookie: nil, body: ["email": "nobody@example.com", "password": "whatever123"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(try errorOf(wrong).message == errorOf(unknown).message)
            #expect(wrong.headers[.setCookie] == nil)
        }
    }

    @Test func aMalformedSignInIs400() async throws {
        try await KeyServiceHarness().run { client in
            let missing = try await client.console(.post, "/console/api/session", cookie: nil, body: ["email": "a@b.c"])
            #expect(missing.status == .badRequest)
            #expect(try errorOf(missing).details?.first?.field == "password")
            let wrongType = try await client.console(.post, "/console/api/session", cookie: nil, body: ["email": 42, "password": "x"])
            #expect(wrongType.status == .badRequest)
        }
    }

    @Test func theSessionIdentifiesTheUserUntilSignOut() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let cookie = try await client.signIn(email: email)
            let me = try await client.console(.get, "/console/api/session", cookie: cookie)
            #expect(me.status == .ok)
            #expect(String(buffer: me.body).contains(email))
            let out = try await client.console(.delete, "/console/api/session", cookie: cookie)
            #expect(out.status == .noContent)
            #expect(out.headers[.setCookie]?.contains("Max-Age=0") == true)
            #expect(try await client.console(.get, "/console/api/session", cookie: cookie).status == .unauthorized)
            #expect(try await client.console(.get, "/console/api/keys", cookie: cookie).status == .unauthorized)
        }
    }

    @Test func anExpiredSessionIsRefused() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            _ = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("UPDATE console_sessions SET expires_at = now() - interval '1 second'")
            }
            let response = try await client.console(.get, "/console/api/keys", cookie: cookie)
            #expect(response.status == .unauthorized)
            #expect(try errorOf(response).code == "UNAUTHORIZED")
        }
    }

    @Test func aForgedCookieIsRefused() async throws {
        try await KeyServiceHarness().run { client in
            _ = try await client.signedInAdmin()
            #expect(try await client.console(.get, "/console/api/keys", cookie: "evalyo_session=forged").status == .unauthorized)
            #expect(try await client.console(.get, "/console/api/keys", cookie: nil).status == .unauthorized)
        }
    }

    @Test func sessionsAreStoredOnlyAsDigests() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let token = String(cookie.split(separator: "=", maxSplits: 1)[1])
            let stored = try await TestDatabase.withClient(client.databaseURL) { postgres in
                var digests: [Data] = []
                for try await digest in try await postgres.query("SELECT token_digest FROM console_sessions").decode(Data.self) {
                    digests.append(digest)
                }
                return digests
            }
            #expect(stored == [ConsoleAuthenticator.digest(token)])
        }
    }

    @Test func aCrossOriginStateChangeIsRefused() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let body: [String: any Sendable] = ["name": "x", "scopes": ["jobs:read"]]
            let evil = try await client.console(.post, "/console/api/keys", cookie: cookie, body: body, headers: [.origin: "https://evil.example"])
            #expect(evil.status == .forbidden)
            #expect(try errorOf(evil).code == "FORBIDDEN")
            let crossSite = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: body, headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            let same = try await client.console(.post, "/console/api/keys", cookie: cookie, body: body, headers: [.origin: "http://localhost"])
            #expect(same.status == .created)
            // The test client addresses every request to "localhost".
            // Reading stays possible from anywhere the cookie goes (SameSite=Strict keeps it home).
            #expect(try await client.console(.get, "/console/api/keys", cookie: cookie, headers: [.origin: "https://evil.example"]).status == .ok)
        }
    }

    /// The console's origin includes its scheme: behind a gateway serving HTTPS (which says so in
    /// `X-Forwarded-Proto`), an `http://` page of the same host is another origin.
    @Test func theOriginsSchemeMustBeTheOneTheConsoleIsServedOver() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let body: [String: any Sendable] = ["name": "x", "scopes": ["jobs:read"]]
            let proto = HTTPField.Name("X-Forwarded-Proto")!
            let downgraded = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: body, headers: [.origin: "http://localhost", proto: "https"])
            #expect(downgraded.status == .forbidden)
            let secure = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: body, headers: [.origin: "https://localhost", proto: "https"])
            #expect(secure.status == .created)
            // Served over plain HTTP, an https:// origin of the host is not the console's either.
            let upgraded = try await client.console(.post, "/console/api/keys", cookie: cookie, body: body, headers: [.origin: "https://localhost"])
            #expect(upgraded.status == .forbidden)
        }
    }

    @Test func aStateChangeWithNeitherOriginNorSecFetchSiteIsRefused() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let body = try JSONSerialization.data(withJSONObject: ["name": "x", "scopes": ["jobs:read"]])
            let bare = try await client.client.execute(
                uri: "/console/api/keys", method: .post, headers: [.cookie: cookie, .contentType: "application/json"], body: ByteBuffer(bytes: body)
            )
            #expect(bare.status == .forbidden)
            #expect(try errorOf(bare).message.contains("needs an Origin header"))
            let site = HTTPField.Name("Sec-Fetch-Site")!
            let typed = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: ["name": "x", "scopes": ["jobs:read"]], headers: [site: "none"])
            #expect(typed.status == .forbidden)
            let same = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: ["name": "x", "scopes": ["jobs:read"]], headers: [site: "same-origin"])
            #expect(same.status == .created)
        }
    }

    @Test func aConfiguredOriginIsAllowed() async throws {
        try await KeyServiceHarness(environment: ["CONSOLE_ALLOWED_ORIGINS": "https://console.evalyo.io"]).run { client in
            let cookie = try await client.signedInAdmin()
            let response = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: ["name": "x", "scopes": ["jobs:read"]],
                headers: [.origin: "https://console.evalyo.io"]
            )
            #expect(response.status == .created)
        }
    }
}
