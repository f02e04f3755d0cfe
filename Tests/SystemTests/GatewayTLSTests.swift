import AsyncHTTPClient
import Foundation
import NIOHTTP1
import NIOSSL
import TestSupport
import Testing

/// The real gateway with a certificate made here, in front of the real services (issue 22).
@Suite("The gateway serves HTTPS from a mounted certificate, and plain HTTP only redirects")
struct GatewayTLSTests {
    /// A client that trusts the test's authority and shows redirects instead of following them.
    static func client(trusting authority: String, maximumVersion: TLSVersion? = nil) -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(authority)
        if let maximumVersion { tls.maximumTLSVersion = maximumVersion }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow))
    }

    @Test func anAuthenticatedCallOverHTTPSTheRedirectAndStrictTransportSecurity() async throws {
        let certificates = try TestCertificates.make(naming: ["127.0.0.1", "localhost"])
        defer { certificates.remove() }
        // Secure cookies on, as they should be behind HTTPS (docs/api-guide.md, "The console"'s console).
        let platform = try await Platform.launch(keyServiceEnvironment: ["CONSOLE_SECURE_COOKIE": "true"], gatewayCertificates: certificates)
        let client = Self.client(trusting: certificates.authority)
        let https = try #require(platform.gateway.httpsURL)
        let organization = try await platform.keyService.newOrganization()
        let key = try await organization.key(["jobs:read", "jobs:write"]).key
        let bearer = ("Authorization", "Bearer \(key)")

        // The API over HTTPS, each answer with HSTS: the services' own, and the gateway's.
        let created = try await HTTPExchange.send(.POST, https + "/api/v1/jobs", headers: [bearer], body: #"{"title":"Over TLS"}"#, client: client)
        #expect(created.status == 201, "\(created.body)")
        let listed = try await HTTPExchange.send(.GET, https + "/api/v1/jobs", headers: [bearer], client: client)
        #expect(listed.status == 200 && listed.body.contains("Over TLS"))
        let unauthenticated = try await HTTPExchange.send(.GET, https + "/api/v1/jobs", client: client)
        #expect(unauthenticated.status == 401)
        let unknown = try await HTTPExchange.send(.GET, https + "/nowhere", client: client)
        #expect(unknown.status == 404 && unknown.errorCode == "NOT_FOUND")
        for answer in [created, listed, unauthenticated, unknown] {
            #expect(answer.headers["Strict-Transport-Security"] == ["max-age=63072000; includeSubDomains"], "\(answer.status)")
            #expect(answer.headers["X-Content-Type-Options"] == ["nosniff"])
        }

        // Plain HTTP: health checks answer; everything else is redirected, method kept, without HSTS.
        let health = try await HTTPExchange.send(.GET, platform.gateway.url + "/healthz", client: client)
        #expect(health.status == 200 && health.headers["Strict-Transport-Security"].isEmpty)
        for method in [HTTPMethod.GET, .POST] {
            let plain = try await HTTPExchange.send(method, platform.gateway.url + "/api/v1/jobs?limit=5", headers: [bearer], client: client)
            #expect(plain.status == 308, "\(method)")
            #expect(plain.headers["Location"] == [https + "/api/v1/jobs?limit=5"])
            #expect(plain.headers["Strict-Transport-Security"].isEmpty)
        }

        // The console over HTTPS with a Secure session cookie, which the browser keeps there.
        let signIn = try await HTTPExchange.send(
            .POST, https + "/console/api/session", body: #"{"email":"\#(organization.email)","password":"\#(organization.password)"}"#, client: client
        )
        let cookie = try #require(signIn.headers.first(name: "Set-Cookie"), "\(signIn.status) \(signIn.body)")
        #expect(cookie.contains("Secure") && cookie.contains("HttpOnly"))
        let keys = try await HTTPExchange.send(
            .GET, https + "/console/api/keys", headers: [("Cookie", String(cookie.split(separator: ";")[0]))], client: client
        )
        #expect(keys.status == 200, "\(keys.body)")

        // TLS 1.1 and older are refused.
        let old = Self.client(trusting: certificates.authority, maximumVersion: .tlsv11)
        await #expect(throws: (any Error).self) { _ = try await HTTPExchange.send(.GET, https + "/healthz", client: old) }
        try await old.shutdown()
        try await client.shutdown()
        _ = await platform.stop()
    }

    @Test func aClientThatDoesNotTrustTheCertificateIsRefused() async throws {
        let certificates = try TestCertificates.make(naming: ["127.0.0.1"])
        let stranger = try TestCertificates.make(naming: ["127.0.0.1"])
        defer {
            certificates.remove()
            stranger.remove()
        }
        let gateway = try Gateway(keyServicePort: try freePort(), catalogPort: try freePort(), certificates: certificates)
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        let https = try #require(gateway.httpsURL)
        let trusting = Self.client(trusting: certificates.authority)
        let distrusting = Self.client(trusting: stranger.authority)
        #expect(try await HTTPExchange.send(.GET, https + "/healthz", client: trusting).status == 200)
        await #expect(throws: (any Error).self) { _ = try await HTTPExchange.send(.GET, https + "/healthz", client: distrusting) }
        try await trusting.shutdown()
        try await distrusting.shutdown()
        await gateway.stop()
    }
}
