import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Catalog

@Suite("API-key authentication of the catalog (docs/api-guide.md)")
struct AuthenticationTests {
    @Test func aMissingOrForeignSchemeIs401WithoutInvalidToken() async throws {
        try await CatalogHarness().run { client in
            for headers in [HTTPFields(), [.authorization: "Basic dXNlcjpwYXNz"], [.authorization: "Bearerevk_x"]] {
                let response = try await client.client.execute(uri: "/api/v1/jobs", method: .get, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="evalyo""#)
                #expect(apiError(response)?.code == "UNAUTHORIZED")
            }
        }
    }

    @Test(arguments: [
        "Bearer evk_short", "Bearer evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxf", "bearer   evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe",
        "Bearer evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe extra",
    ])
    func aMalformedUnknownOrBadChecksumTokenIs401InvalidToken(header: String) async throws {
        try await CatalogHarness().run { client in
            let response = try await client.client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: header])
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="evalyo", error="invalid_token""#)
        }
    }

    @Test func theSchemeNameIsCaseInsensitive() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "bEaReR \(key)"])
            #expect(response.status == .ok)
        }
    }

    @Test func aKeyInTheQueryStringIsNeverAccepted() async throws {
        try await CatalogHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.call(.get, "/api/v1/jobs?access_token=\(key)&key=\(key)", key: nil)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func aKeyWithoutTheScopeIs403NamingIt() async throws {
        try await CatalogHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            let readOnly = try await organization.key(["jobs:read"]).key
            #expect(try await client.call(.get, "/api/v1/jobs", key: readOnly).status == .ok)
            let response = try await client.call(.post, "/api/v1/jobs", key: readOnly, body: ["title": "Engineer"])
            #expect(response.status == .forbidden)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="evalyo", error="insufficient_scope", scope="jobs:write""#)
            #expect(apiError(response)?.requiredScope == "jobs:write")
            #expect(apiError(response)?.code == "FORBIDDEN")
        }
    }

    @Test func authenticationComesBeforeValidationAndNotFound() async throws {
        try await CatalogHarness().run { client in
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/v1/jobs/not-a-uuid"), (.get, "/api/v1/jobs/\(UUID())"), (.get, "/api/v1/nothing"),
                (.put, "/api/v1/jobs"), (.post, "/api/v1/jobs"),
            ] {
                let response = try await client.call(method, path, key: nil, body: ["title": 5])
                #expect(response.status == .unauthorized, "\(method) \(path)")
            }
            let (_, key) = try await client.organization()
            #expect(try await client.call(.get, "/api/v1/jobs/not-a-uuid", key: key).status == .badRequest)
            #expect(try await client.call(.put, "/api/v1/jobs", key: key).status == .methodNotAllowed)
        }
    }

    @Test func aRevokedKeyIsRefusedOnceItsCacheEntryExpires() async throws {
        try await CatalogHarness(environment: ["AUTH_CACHE_TTL": "1"]).run { client in
            let organization = try await client.keyService.newOrganization()
            let (id, key) = try await organization.key(["jobs:read"])
            #expect(try await client.call(.get, "/api/v1/jobs", key: key).status == .ok)
            try await organization.revoke(id)
            try await Task.sleep(for: .milliseconds(1100))
            let response = try await client.call(.get, "/api/v1/jobs", key: key)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
        }
    }

    @Test func healthAndMetricsNeedNoKey() async throws {
        try await CatalogHarness().run { client in
            let statuses = [
                try await client.call(.get, "/healthz", key: nil).status, try await client.call(.get, "/readyz", key: nil).status,
                try await client.call(.get, "/metrics", key: nil).status,
            ]
            #expect(statuses == [.ok, .ok, .ok])
        }
    }
}

@Suite("The catalog fails closed when keys cannot be verified", .serialized)
struct FailClosedTests {
    @Test func anUnavailableKeyServiceMeans503ForNewKeysWhileCachedKeysKeepWorking() async throws {
        let harness = try await CatalogHarness(environment: ["AUTH_CACHE_TTL": "60"])
        let organization = try await harness.keyService.newOrganization()
        let cached = try await organization.key(["jobs:read"]).key
        let fresh = try await organization.key(["jobs:read"]).key
        try await harness.run { client in
            #expect(try await client.call(.get, "/api/v1/jobs", key: cached).status == .ok)
            harness.keyService.isUnavailable = true
            #expect(try await client.call(.get, "/api/v1/jobs", key: cached).status == .ok)
            let response = try await client.call(.get, "/api/v1/jobs", key: fresh)
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] != nil)
            #expect(apiError(response)?.code == "SERVICE_UNAVAILABLE")
        }
    }

    @Test func anUnreachableKeyServiceNeverLetsARequestThrough() async throws {
        let port = try freePort()
        let key = APIKeyToken.generate().value
        try await CatalogHarness(introspectionURL: "http://127.0.0.1:\(port)/internal/introspect").run { client in
            let response = try await client.call(.get, "/api/v1/jobs", key: key)
            #expect(response.status == .serviceUnavailable)
        }
    }

    @Test func wrongIntrospectionCredentialsMean503NotAnAnswer() async throws {
        let keyService = try await KeyServiceFixture.shared.start()
        let key = try await keyService.newOrganization().key(["jobs:read"]).key
        try await CatalogHarness(keyService: keyService, environment: ["INTROSPECTION_CLIENT_SECRET": "wrong-secret-0123456789abcdefghijklm"]).run {
            client in
            let response = try await client.call(.get, "/api/v1/jobs", key: key)
            #expect(response.status == .serviceUnavailable)
        }
    }
}
