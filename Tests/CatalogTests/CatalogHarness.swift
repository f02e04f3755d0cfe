import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import TestSupport
import Testing

@testable import Catalog

/// The catalog on a fresh database, driven through its router. Keys come from an in-process
/// `FakeKeyService` by default; given a running key-service executable, they are verified by it
/// over HTTP instead (the tests about processes meeting).
struct CatalogHarness {
    let keyService: FakeKeyService
    let clients: KeyServiceClients
    let settings: CatalogSettings
    /// The agents and tests a campaign or stage may name.
    let interviews = FakeInterviews()
    /// The webhook events the catalog's outbox hands over.
    let webhooks = RecordingDestination(name: "webhooks")

    /// The catalog in front of a fake key service.
    init(environment extra: [String: String] = [:]) async throws {
        let fake = FakeKeyService()
        settings = try await Self.settings(introspectionURL: "http://127.0.0.1:1/internal/introspect", extra)
        keyService = fake
        clients = fake.clients
    }

    /// The catalog in front of the real key service at `real`.
    init(keyService real: KeyServiceFixture.Running, environment extra: [String: String] = [:]) async throws {
        try await self.init(introspectionURL: real.introspectionURL, environment: extra)
    }

    /// The catalog calling a key service over HTTP at `introspectionURL` (one that is not there, say).
    init(introspectionURL: String, environment extra: [String: String] = [:]) async throws {
        settings = try await Self.settings(introspectionURL: introspectionURL, extra)
        keyService = FakeKeyService()
        clients = .http(settings.auth, logger: Logger(label: "catalog"))
    }

    static func settings(introspectionURL: String, _ extra: [String: String]) async throws -> CatalogSettings {
        var values = [
            "DATABASE_URL": try await TestDatabase.create(), "INTROSPECTION_URL": introspectionURL,
            "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId, "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret,
            "DATABASE_POOL_SIZE": "4", "INTERVIEWS_CLIENT_SECRET": "catalog-interviews-secret-0123456789abc",
            "WEBHOOKS_CLIENT_SECRET": "catalog-webhooks-secret-0123456789abcdef", "OUTBOX_POLL_MS": "20",
        ]
        values.merge(extra) { $1 }
        return try CatalogSettings(environment: Environment(values: values))
    }

    /// Runs `body` against the application; migrations have run by then.
    func run(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        var logger = Logger(label: "catalog")
        // HARNESS_DEBUG=1: ServiceLifecycle then logs each service it starts and stops (a shutdown that waits shows which).
        logger.logLevel = ProcessInfo.processInfo.environment["HARNESS_DEBUG"] == nil ? .warning : .debug
        let app = try buildApplication(
            settings: settings, dependencies: CatalogDependencies(keyService: clients, interviews: interviews, webhooks: webhooks),
            metrics: ServiceMetrics(),
            logger: logger
        )
        let keyService = self.keyService
        let interviews = self.interviews
        let webhooks = self.webhooks
        try await app.test(.router) { client in
            try await body(Client(client: client, keyService: keyService, interviews: interviews, webhooks: webhooks))
        }
    }

    /// A test client speaking JSON with an API key.
    struct Client: Sendable {
        let client: any TestClientProtocol
        let keyService: FakeKeyService
        let interviews: FakeInterviews
        let webhooks: RecordingDestination

        /// A new organization and a key with every scope in it.
        func organization() async throws -> (FakeOrganization, String) {
            let organization = try await keyService.newOrganization()
            return (organization, try await organization.keyWithEveryScope())
        }

        /// Sends a request with `key` as bearer token and `body` as JSON (a POST with a new `Idempotency-Key`: `apiHeaders`).
        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, body: [String: any Sendable]? = nil) async throws -> TestResponse {
            let headers = apiHeaders(method, key: key)
            let buffer = body.map { ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: $0)) }
            return try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        }

        /// Creates a resource and returns its JSON; fails the test unless the answer is 201.
        func create(_ path: String, key: String, _ body: [String: any Sendable], sourceLocation: SourceLocation = #_sourceLocation) async throws
            -> [String: Any]
        {
            let response = try await call(.post, path, key: key, body: body)
            #expect(response.status == .created, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
            return json(response)
        }
    }
}
