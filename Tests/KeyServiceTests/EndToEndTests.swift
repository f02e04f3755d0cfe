import AsyncHTTPClient
import Foundation
import NIOHTTP1
import Shared
import TestSupport
import Testing

/// The built `key-service` executable and nginx with the repository's gateway configuration,
/// talking over real sockets, as `scripts/run` starts them.
@Suite("End to end: the real key-service behind the real gateway", .serialized)
struct EndToEndTests {
    static let secret = "e2e-catalog-secret-0123456789abcdefgh"

    @Test func createAdminRefusesAnExistingEmailOrOrganizationAndBadInput() async throws {
        let url = try await TestDatabase.create()
        let binary = ChildProcess.binDirectory.appendingPathComponent("key-service")
        let env = ["DATABASE_URL": url, "BCRYPT_COST": "4"]
        let first = try await ChildProcess.run(
            binary, arguments: ["create-admin", "--org", "Acme", "--email", "a@acme.test", "--password", "password-123"], environment: env)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("Created organization \"Acme\""))
        let sameEmail = try await ChildProcess.run(
            binary, arguments: ["create-admin", "--org", "Other", "--email", "A@acme.test", "--password", "password-123"], environment: env)
        #expect(sameEmail.status == 3)
        #expect(sameEmail.output.contains("already exists"))
        let sameOrg = try await ChildProcess.run(
            binary, arguments: ["create-admin", "--org", "acme", "--email", "b@acme.test", "--password", "password-123"], environment: env)
        #expect(sameOrg.status == 3)
        let badEmail = try await ChildProcess.run(
            binary, arguments: ["create-admin", "--org", "X", "--email", "nope", "--password", "password-123"], environment: env)
        #expect(badEmail.status != 0 && badEmail.status != 3)
        #expect(badEmail.output.contains("--email"))
        let rows = try await TestDatabase.withClient(url) { client in
            var count = 0
            for try await value in try await client.query("SELECT count(*) FROM console_users").decode(Int.self) { count = value }
            return count
        }
        #expect(rows == 1)
    }

    @Test func theKeyLifeCycleWorksThroughTheGatewayAndSIGTERMDrains() async throws {
        let url = try await TestDatabase.create()
        let bin = ChildProcess.binDirectory
        let setup = try await ChildProcess.run(
            bin.appendingPathComponent("key-service"),
            arguments: ["create-admin", "--org", "Demo", "--email", "admin@demo.test", "--password", "demo-password"],
            environment: ["DATABASE_URL": url, "BCRYPT_COST": "4"]
        )
        #expect(setup.status == 0, "\(setup.output)")

        let servicePort = try freePort()
        let service = try ChildProcess(
            bin.appendingPathComponent("key-service"),
            environment: [
                "DATABASE_URL": url, "PORT": String(servicePort), "HOST": "127.0.0.1", "CONSOLE_SECURE_COOKIE": "false",
                "INTERNAL_CLIENTS": "catalog:\(Self.secret)", "LAST_USED_FLUSH_SECONDS": "1",
                "TWO_FACTOR_ENCRYPTION_KEY": KeyServiceFixture.twoFactorKey, "WEBHOOKS_CLIENT_SECRET": KeyServiceFixture.consoleWebhooksSecret,
            ]
        )
        let direct = "http://127.0.0.1:\(servicePort)"
        try await HTTPExchange.waitUntilUp("\(direct)/readyz")

        let gateway = try Gateway(keyServicePort: servicePort, catalogPort: try freePort())
        let base = gateway.url
        try await HTTPExchange.waitUntilUp("\(base)/healthz")

        // What the gateway answers itself.
        let unknown = try await HTTPExchange.send(.GET, "\(base)/nowhere")
        #expect(unknown.status == 404 && unknown.errorCode == "NOT_FOUND")
        #expect(unknown.headers.first(name: "X-Request-Id") != nil)
        let internalPath = try await HTTPExchange.send(.POST, "\(base)/internal/introspect", body: "token=x")
        #expect(internalPath.status == 404 && internalPath.errorCode == "NOT_FOUND")

        // Sign in and create a key through the gateway.
        let signIn = try await HTTPExchange.send(
            .POST, "\(base)/console/api/session", headers: [("Content-Type", "application/json"), ("X-Request-Id", "e2e-sign-in")],
            body: #"{"email":"admin@demo.test","password":"demo-password"}"#
        )
        #expect(signIn.status == 200, "\(signIn.body)")
        #expect(signIn.headers["X-Request-Id"] == ["e2e-sign-in"])
        let cookie = try #require(signIn.headers.first(name: "Set-Cookie")?.split(separator: ";").first.map(String.init))
        let json = [("Content-Type", "application/json"), ("Cookie", cookie)]
        let created = try await HTTPExchange.send(.POST, "\(base)/console/api/keys", headers: json, body: #"{"name":"e2e","scopes":["jobs:read"]}"#)
        #expect(created.status == 201, "\(created.body)")
        let key = try #require(created.json["key"] as? String)
        let id = try #require(created.json["id"] as? String)

        let tooLarge = try await HTTPExchange.send(
            .POST, "\(base)/console/api/keys", headers: json, body: String(repeating: "x", count: (1 << 20) + 10))
        #expect(tooLarge.status == 413 && tooLarge.errorCode == "PAYLOAD_TOO_LARGE")

        // Introspection, on the service's own port only.
        let basic = ("Authorization", "Basic " + Data("catalog:\(Self.secret)".utf8).base64EncodedString())
        let form = ("Content-Type", "application/x-www-form-urlencoded")
        let active = try await HTTPExchange.send(.POST, "\(direct)/internal/introspect", headers: [basic, form], body: "token=\(key)")
        #expect(active.json["active"] as? Bool == true)
        #expect(active.json["client_id"] as? String == id)

        let revoked = try await HTTPExchange.send(.POST, "\(base)/console/api/keys/\(id)/revoke", headers: json)
        #expect(revoked.status == 200)
        let inactive = try await HTTPExchange.send(.POST, "\(direct)/internal/introspect", headers: [basic, form], body: "token=\(key)")
        #expect(inactive.body == #"{"active":false}"#)

        let listed = try await HTTPExchange.send(.GET, "\(base)/console/api/keys", headers: json)
        #expect(listed.status == 200 && !listed.body.contains(key))

        // SIGTERM: drains and exits 0; logs are JSON lines with the request id, without the key.
        try await Task.sleep(for: .milliseconds(1200))
        service.signal(SIGTERM)
        #expect(try await service.waitForExit(timeout: .seconds(15)) == 0)
        let lines = service.output.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        #expect(lines.contains { $0.contains(#""request_id":"e2e-sign-in""#) })
        #expect(!service.output.contains(key.dropFirst(8)))
        #expect(!gateway.accessLog.contains(key.dropFirst(8)))
        #expect(gateway.accessLog.contains("request_id=e2e-sign-in"))
        await gateway.stop()
    }
}
