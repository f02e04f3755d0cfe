import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import TestSupport
import Testing

@testable import Catalog

/// The catalog on a fresh database, driven through its router, verifying keys against the
/// real key-service executable over HTTP.
struct CatalogHarness {
    let keyService: KeyServiceFixture.Running
    let settings: CatalogSettings

    init(keyService: KeyServiceFixture.Running? = nil, environment extra: [String: String] = [:]) async throws {
        let keyService = if let keyService { keyService } else { try await KeyServiceFixture.shared.start() }
        self.keyService = keyService
        var values = [
            "DATABASE_URL": try await TestDatabase.create(), "INTROSPECTION_URL": keyService.introspectionURL,
            "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId, "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret,
            "DATABASE_POOL_SIZE": "4",
        ]
        values.merge(extra) { $1 }
        settings = try CatalogSettings(environment: Environment(values: values))
    }

    /// Runs `body` against the application; migrations have run by then.
    func run(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        var logger = Logger(label: "catalog")
        logger.logLevel = .warning
        let app = try buildApplication(settings: settings, metrics: ServiceMetrics(), logger: logger)
        let keyService = self.keyService
        try await app.test(.router) { client in
            try await body(Client(client: client, keyService: keyService))
        }
    }

    /// A test client speaking JSON with an API key.
    struct Client: Sendable {
        let client: any TestClientProtocol
        let keyService: KeyServiceFixture.Running

        /// A new organization and a key with every scope in it.
        func organization() async throws -> (TestOrganization, String) {
            let organization = try await keyService.newOrganization()
            return (organization, try await organization.keyWithEveryScope())
        }

        /// Sends a request with `key` as bearer token and `body` as JSON.
        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, body: [String: any Sendable]? = nil) async throws -> TestResponse {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let key { headers[.authorization] = "Bearer \(key)" }
            let buffer = body.map { ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: $0)) }
            return try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        }

        /// Creates a resource and returns its JSON; fails the test unless the answer is 201.
        func create(_ path: String, key: String, _ body: [String: any Sendable], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
            let response = try await call(.post, path, key: key, body: body)
            #expect(response.status == .created, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
            return json(response)
        }
    }
}
