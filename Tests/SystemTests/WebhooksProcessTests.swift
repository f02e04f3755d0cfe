import Foundation
import TestSupport
import Testing

/// The fifth executable as `scripts/run` and the deployments start it.
@Suite("The webhooks executable")
struct WebhooksProcessTests {
    @Test func itStartsOnItsOwnDatabaseRefusesABadNetworkListAndStopsCleanlyOnSIGTERM() async throws {
        let binary = ChildProcess.binDirectory.appendingPathComponent("webhooks")
        let database = try await TestDatabase.create()
        let settings = [
            "DATABASE_URL": database, "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret,
            "WEBHOOK_SECRETS_KEY": Platform.webhookSecretsKey,
        ]
        let refused = try await ChildProcess.run(
            binary, arguments: [], environment: settings.merging(["PORT": String(try freePort()), "WEBHOOK_ALLOWED_NETWORKS": "10.0.0.0/99"]) { $1 })
        #expect(refused.status != 0 && refused.output.contains("WEBHOOK_ALLOWED_NETWORKS"), "\(refused.output)")

        let port = try freePort()
        let process = try ChildProcess(
            binary, environment: settings.merging(["PORT": String(port), "HOST": "127.0.0.1", "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"]) { $1 })
        process.stopWhenTestsExit()
        try await HTTPExchange.waitUntilUp("http://127.0.0.1:\(port)/readyz")
        #expect(try await HTTPExchange.send(.GET, "http://127.0.0.1:\(port)/healthz").status == 200)
        process.signal(SIGTERM)
        #expect(try await process.waitForExit(timeout: .seconds(15)) == 0)
    }
}
