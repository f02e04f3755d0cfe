import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import TestSupport
import Testing

@testable import Interviews

/// The interviews service on a fresh database, driven through its router; keys are verified by
/// the real key-service executable and catalog facts come from the real catalog executable.
struct InterviewsHarness {
    static let runtime = "runtime:runtime-test-secret-0123456789"

    let catalog: CatalogFixture.Running
    let settings: InterviewsSettings

    init(environment extra: [String: String] = [:]) async throws {
        let catalog = try await CatalogFixture.shared.start()
        self.catalog = catalog
        var values = [
            "DATABASE_URL": try await TestDatabase.create(), "DATABASE_POOL_SIZE": "4",
            "INTROSPECTION_URL": catalog.keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
            "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "INTERNAL_CLIENTS": Self.runtime,
            "CATALOG_URL": catalog.baseURL, "CATALOG_CLIENT_ID": CatalogFixture.clientId, "CATALOG_CLIENT_SECRET": CatalogFixture.clientSecret,
            // No reports service here: events wait in the outbox (the reports tests deliver them).
            "REPORTS_URL": "http://127.0.0.1:1", "REPORTS_CLIENT_SECRET": "reports-test-secret-0123456789",
        ]
        values.merge(extra) { $1 }
        settings = try InterviewsSettings(environment: Environment(values: values))
    }

    func run(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        var logger = Logger(label: "interviews")
        logger.logLevel = .warning
        let app = try buildApplication(settings: settings, metrics: ServiceMetrics(), logger: logger)
        let catalog = self.catalog
        try await app.test(.router) { client in
            try await body(Client(client: client, catalog: catalog))
        }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let catalog: CatalogFixture.Running

        /// A new organization and a key with every scope in it.
        func organization() async throws -> (TestOrganization, String) {
            let organization = try await catalog.keyService.newOrganization()
            return (organization, try await organization.keyWithEveryScope())
        }

        /// A candidate, a job (of `status`) and a campaign with that candidate in it, made in the catalog.
        func catalogSetup(key: String, jobStatus: String = "ACTIVE") async throws -> (candidate: String, job: String, campaign: String) {
            let candidate = try await catalog.create("/api/v1/candidates", key: key, ["email": "c-\(UUID())@example.com"])
            let job = try await catalog.create("/api/v1/jobs", key: key, ["title": "Engineer", "status": jobStatus])
            let campaign = try await catalog.create("/api/v1/campaigns", key: key, ["name": "Spring", "jobId": job])
            _ = try await catalog.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": candidate])
            return (candidate, job, campaign)
        }

        /// Sends a request with `key` as bearer token and `body` as JSON.
        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, body: [String: any Sendable]? = nil) async throws -> TestResponse {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let key { headers[.authorization] = "Bearer \(key)" }
            return try await client.execute(uri: uri, method: method, headers: headers, body: body.map(Self.encode))
        }

        /// Sends an agent-runtime request with its Basic credentials.
        @discardableResult
        func runtime(_ path: String, body: [String: any Sendable]? = nil, credentials: String? = InterviewsHarness.runtime) async throws -> TestResponse {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let credentials { headers[.authorization] = "Basic " + Data(credentials.utf8).base64EncodedString() }
            return try await client.execute(uri: path, method: .post, headers: headers, body: body.map(Self.encode))
        }

        func create(_ path: String, key: String, _ body: [String: any Sendable], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
            let response = try await call(.post, path, key: key, body: body)
            #expect(response.status == .created, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
            return json(response)
        }

        static func encode(_ body: [String: any Sendable]) -> ByteBuffer {
            ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: body))
        }
    }
}
