import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Webhooks

@Suite("The webhooks service starts on its own database")
struct WebhooksServiceTests {
    @Test func itMigratesAndAnswersHealthAndReadiness() async throws {
        let settings = try WebhooksSettings(
            environment: Environment(values: ["DATABASE_URL": try await TestDatabase.create(), "DATABASE_POOL_SIZE": "2"]))
        #expect(settings.service.port == 8085)
        let app = try buildApplication(settings: settings, metrics: ServiceMetrics(), logger: LogCapture().logger(label: "webhooks"))
        try await app.test(.router) { (client: any TestClientProtocol) async throws in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
    }
}
