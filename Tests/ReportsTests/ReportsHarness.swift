import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Shared
import TestSupport
import Testing

@testable import Reports

/// The reports service on a fresh database, driven through its router; keys come from an
/// in-process `FakeKeyService`.
struct ReportsHarness {
    static let deliverer = "interviews:interviews-reports-secret-0123456789"

    let settings: ReportsSettings
    let keyService = FakeKeyService()
    /// The webhook events the reports service's outbox hands over.
    let webhooks = RecordingDestination(name: "webhooks")

    init() async throws {
        settings = try ReportsSettings(
            environment: Environment(values: [
                "DATABASE_URL": try await TestDatabase.create(), "DATABASE_POOL_SIZE": "4", "INTERNAL_CLIENTS": Self.deliverer,
                "INTROSPECTION_URL": "http://127.0.0.1:1/internal/introspect", "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
                "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret,
                "WEBHOOKS_CLIENT_SECRET": "reports-webhooks-secret-0123456789abcdef", "OUTBOX_POLL_MS": "20",
            ]))
    }

    func run(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        var logger = Logger(label: "reports")
        logger.logLevel = .warning
        let app = try buildApplication(
            settings: settings, keyService: keyService.clients, webhooks: webhooks, metrics: ServiceMetrics(), logger: logger)
        let keyService = self.keyService
        try await app.test(.router) { client in try await body(Client(client: client, keyService: keyService)) }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let keyService: FakeKeyService

        func get(_ uri: String, key: String?) async throws -> TestResponse {
            var headers: HTTPFields = [:]
            if let key { headers[.authorization] = "Bearer \(key)" }
            return try await client.execute(uri: uri, method: .get, headers: headers)
        }

        /// Delivers an event as the interviews service does.
        @discardableResult
        func deliver(_ event: ReportEvent, credentials: String = ReportsHarness.deliverer) async throws -> TestResponse {
            try await client.execute(
                uri: "/internal/events", method: .post,
                headers: [.authorization: "Basic " + Data(credentials.utf8).base64EncodedString(), .contentType: "application/json"],
                body: ByteBuffer(bytes: try ReportEvent.encoder.encode(event))
            )
        }
    }

    /// A completed interview's event for `organization`.
    static func interviewEvent(organization: String, candidate: UUID = UUID(), campaign: UUID? = UUID(), score: Int = 70) -> ReportEvent {
        ReportEvent(
            eventId: UUID(), type: .INTERVIEW, organizationId: UUID(uuidString: organization)!, interviewId: UUID(), assignmentId: nil,
            testId: nil, candidateId: candidate, jobId: UUID(), campaignId: campaign, score: score, passed: nil, recommendation: "HIRE",
            summary: "Solid", strengths: ["clear"], weaknesses: ["depth"], criteria: [.init(name: "Swift", score: 80, comment: nil)],
            transcript: [.init(sequence: 1, role: "AGENT", content: "Hello", createdAt: Date(timeIntervalSince1970: 1_800_000_000))],
            completedAt: Date(timeIntervalSince1970: 1_800_000_100)
        )
    }

    /// A completed test assignment's event for `organization`.
    static func testEvent(organization: String, candidate: UUID = UUID()) -> ReportEvent {
        ReportEvent(
            eventId: UUID(), type: .TEST, organizationId: UUID(uuidString: organization)!, interviewId: nil, assignmentId: UUID(),
            testId: UUID(), candidateId: candidate, jobId: nil, campaignId: nil, score: 55, passed: false, recommendation: nil, summary: nil,
            strengths: [], weaknesses: [], criteria: [], transcript: [], completedAt: Date()
        )
    }
}
