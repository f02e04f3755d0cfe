import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import TestSupport
import Testing

@testable import Webhooks

/// The webhooks service on a fresh database, driven through its router, with its dispatcher
/// running; keys come from an in-process `FakeKeyService`. By default webhooks may go to this
/// machine over http, so that a `WebhookReceiver` can take them, and retries come quickly.
struct WebhooksHarness {
    static let producer = "interviews:interviews-webhooks-secret-0123456789"

    let settings: WebhooksSettings
    let keyService = FakeKeyService()

    init(environment extra: [String: String] = [:]) async throws {
        var values = [
            "DATABASE_URL": try await TestDatabase.create(), "DATABASE_POOL_SIZE": "6", "INTERNAL_CLIENTS": Self.producer,
            "INTROSPECTION_URL": "http://127.0.0.1:1/internal/introspect", "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
            "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "WEBHOOK_SECRETS_KEY": "webhook-secrets-key-0123456789abcdefghij",
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_ALLOW_HTTP": "true", "WEBHOOK_RETRY_SCHEDULE": "1s,1s,1s", "WEBHOOK_POLL_MS": "50",
        ]
        values.merge(extra) { _, new in new }
        settings = try WebhooksSettings(environment: Environment(values: values.filter { !$0.value.isEmpty }))
    }

    func run(logs: LogCapture? = nil, _ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        var logger = logs?.logger(label: "webhooks") ?? Logger(label: "webhooks")
        logger.logLevel = logs == nil ? .warning : .trace
        let app = try buildApplication(settings: settings, keyService: keyService.clients, metrics: ServiceMetrics(), logger: logger)
        let keyService = self.keyService
        let databaseURL = settings.service.databaseURL
        try await app.test(.router) { client in try await body(Client(client: client, keyService: keyService, databaseURL: databaseURL)) }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let keyService: FakeKeyService
        let databaseURL: String

        /// A new organization and a key holding both webhook scopes.
        func organization() async throws -> (organizationId: String, key: String) {
            let organization = try await keyService.newOrganization()
            let key = try await organization.key(["webhooks:read", "webhooks:write"]).key
            return (try #require(keyService.organizationId(ofKey: key)).apiString, key)
        }

        /// Sends a request with `key` as bearer token and `body` as JSON (a POST with a new `Idempotency-Key`: `apiHeaders`).
        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, body: [String: any Sendable]? = nil) async throws -> TestResponse {
            let headers = apiHeaders(method, key: key)
            return try await client.execute(
                uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: $0)) })
        }

        /// Creates an endpoint; returns its answer (with the secret).
        func endpoint(key: String, url: String, eventTypes: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) async throws
            -> [String: Any]
        {
            let response = try await call(.post, "/api/v1/webhook-endpoints", key: key, body: ["url": url, "eventTypes": eventTypes])
            #expect(response.status == .created, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
            return json(response)
        }

        /// Hands an event over as a producer does; returns the answer.
        @discardableResult
        func handOver(_ event: [String: any Sendable], credentials: String = WebhooksHarness.producer) async throws -> TestResponse {
            try await client.execute(
                uri: "/internal/events", method: .post,
                headers: [.authorization: "Basic " + Data(credentials.utf8).base64EncodedString(), .contentType: "application/json"],
                body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: event)))
        }

        /// The endpoint's deliveries, newest first.
        func deliveries(_ endpoint: String, key: String, status: String? = nil) async throws -> [[String: Any]] {
            items(try await call(.get, "/api/v1/webhook-endpoints/\(endpoint)/deliveries" + (status.map { "?status=\($0)" } ?? ""), key: key))
        }

        /// Waits until `condition` holds of the endpoint's deliveries (or `timeout` passes); returns them.
        func deliveries(_ endpoint: String, key: String, within timeout: Duration = .seconds(10), until condition: ([[String: Any]]) -> Bool)
            async throws -> [[String: Any]]
        {
            let deadline = ContinuousClock.now + timeout
            while true {
                let found = try await deliveries(endpoint, key: key)
                if condition(found) || ContinuousClock.now >= deadline { return found }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// An event of `type` for `organization`, as a producer writes it.
    static func event(_ type: String = "report.created", organization: String, id: String = WebhookEventHeader.newId()) -> [String: any Sendable] {
        ["id": id, "type": type, "createdAt": "2026-12-06T10:00:00Z", "organizationId": organization, "data": ["score": 92]]
    }
}
