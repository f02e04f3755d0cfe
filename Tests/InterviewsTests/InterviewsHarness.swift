import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import TestSupport
import Testing

@testable import Interviews

/// The interviews service on a fresh database, driven through its router. By default the key
/// service, the catalog's facts and the reports service are in-process fakes; the tests about
/// services meeting name what is real instead.
struct InterviewsHarness {
    static let runtime = "runtime:runtime-test-secret-0123456789abcdef"

    /// Where keys and catalog facts come from.
    enum Peers {
        /// Fakes in process.
        case fakes
        /// Fake keys, and the catalog over HTTP at the settings' `CATALOG_URL` (an unreachable one, say).
        case catalogOverHTTP
        /// The real key-service and catalog executables.
        case real(CatalogFixture.Running)
    }

    let peers: Peers
    let keyService = FakeKeyService()
    let catalog = FakeCatalog()
    let reports = RecordingDestination(name: "reports")
    let webhooks = RecordingDestination(name: "webhooks")
    let settings: InterviewsSettings

    init(_ peers: Peers = .fakes, environment extra: [String: String] = [:]) async throws {
        self.peers = peers
        let introspectionURL: String
        let catalogURL: String
        if case .real(let catalog) = peers {
            (introspectionURL, catalogURL) = (catalog.keyService.introspectionURL, catalog.baseURL)
        } else {
            (introspectionURL, catalogURL) = ("http://127.0.0.1:1/internal/introspect", "http://127.0.0.1:1")
        }
        var values = [
            "DATABASE_URL": try await TestDatabase.create(), "DATABASE_POOL_SIZE": "4",
            "INTROSPECTION_URL": introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
            "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "INTERNAL_CLIENTS": Self.runtime,
            "CATALOG_URL": catalogURL, "CATALOG_CLIENT_ID": CatalogFixture.clientId, "CATALOG_CLIENT_SECRET": CatalogFixture.clientSecret,
            "REPORTS_URL": "http://127.0.0.1:1", "REPORTS_CLIENT_SECRET": "reports-test-secret-0123456789abcdef",
            "WEBHOOKS_URL": "http://127.0.0.1:1", "WEBHOOKS_CLIENT_SECRET": "webhooks-test-secret-0123456789abcdef",
        ]
        values.merge(extra) { $1 }
        settings = try InterviewsSettings(environment: Environment(values: values))
    }

    /// What `buildApplication` talks to, as `peers` says. Events are never delivered to a real
    /// reports service here (the reports tests deliver them).
    var dependencies: InterviewsDependencies {
        switch peers {
        case .fakes:
            return InterviewsDependencies(keyService: keyService.clients, catalog: catalog, reports: reports, webhooks: webhooks)
        case .catalogOverHTTP:
            let http = InterviewsDependencies.http(settings, logger: Logger(label: "interviews"))
            return InterviewsDependencies(keyService: keyService.clients, catalog: http.catalog, reports: reports, webhooks: webhooks)
        case .real:
            let http = InterviewsDependencies.http(settings, logger: Logger(label: "interviews"))
            return InterviewsDependencies(keyService: http.keyService, catalog: http.catalog, reports: reports, webhooks: webhooks)
        }
    }

    func run(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        var logger = Logger(label: "interviews")
        logger.logLevel = .warning
        let app = try buildApplication(settings: settings, dependencies: dependencies, metrics: ServiceMetrics(), logger: logger)
        let harness = self
        try await app.test(.router) { test in try await body(Client(client: test, harness: harness)) }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let harness: InterviewsHarness

        var keyService: FakeKeyService { harness.keyService }
        var catalog: FakeCatalog { harness.catalog }

        /// A new organization and a key with every scope in it.
        func organization() async throws -> (any TestKeyOrganization, String) {
            let organization: any TestKeyOrganization
            if case .real(let catalog) = harness.peers {
                organization = try await catalog.keyService.newOrganization()
            } else {
                organization = try await keyService.newOrganization()
            }
            return (organization, try await organization.keyWithEveryScope())
        }

        /// A candidate, a job (of `status`) and a campaign with that candidate in it, in the catalog.
        func catalogSetup(key: String, jobStatus: String = "ACTIVE") async throws -> (candidate: String, job: String, campaign: String) {
            if case .real(let catalog) = harness.peers {
                let candidate = try await catalog.create("/api/v1/candidates", key: key, ["email": "c-\(UUID())@example.com"])
                let job = try await catalog.create("/api/v1/jobs", key: key, ["title": "Engineer", "status": jobStatus])
                let campaign = try await catalog.create("/api/v1/campaigns", key: key, ["name": "Spring", "jobId": job])
                _ = try await catalog.create("/api/v1/campaigns/\(campaign)/candidates", key: key, ["candidateId": candidate])
                return (candidate, job, campaign)
            }
            let organization = try #require(keyService.organizationId(ofKey: key))
            let candidate = catalog.addCandidate(organization)
            let job = catalog.addJob(organization, status: jobStatus)
            let campaign = catalog.addCampaign(organization, members: [candidate])
            return (candidate.apiString, job.apiString, campaign.apiString)
        }

        /// A candidate of the key's organization that is in no campaign.
        func newCandidate(key: String) throws -> String {
            catalog.addCandidate(try #require(keyService.organizationId(ofKey: key))).apiString
        }

        /// Sends a request with `key` as bearer token and `body` as JSON (a POST with a new `Idempotency-Key`: `apiHeaders`).
        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, key: String?, body: [String: any Sendable]? = nil) async throws -> TestResponse {
            let headers = apiHeaders(method, key: key)
            return try await client.execute(uri: uri, method: method, headers: headers, body: body.map(Self.encode))
        }

        /// Sends an agent-runtime request with its Basic credentials.
        @discardableResult
        func runtime(_ path: String, body: [String: any Sendable]? = nil, credentials: String? = InterviewsHarness.runtime) async throws
            -> TestResponse
        {
            var headers: HTTPFields = [.contentType: "application/json"]
            if let credentials { headers[.authorization] = "Basic " + Data(credentials.utf8).base64EncodedString() }
            return try await client.execute(uri: path, method: .post, headers: headers, body: body.map(Self.encode))
        }

        func create(_ path: String, key: String, _ body: [String: any Sendable], sourceLocation: SourceLocation = #_sourceLocation) async throws
            -> [String: Any]
        {
            let response = try await call(.post, path, key: key, body: body)
            #expect(response.status == .created, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
            return json(response)
        }

        static func encode(_ body: [String: any Sendable]) -> ByteBuffer {
            ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: body))
        }
    }
}
