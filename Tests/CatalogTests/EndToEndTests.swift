import Foundation
import NIOHTTP1
import Shared
import TestSupport
import Testing

/// The built `key-service` and `catalog` executables behind nginx, over real sockets.
@Suite("End to end: keys made in the console open the catalog through the gateway", .serialized)
struct CatalogEndToEndTests {
    @Test func aReadOnlyKeyListsJobsButCannotCreateThem() async throws {
        let (keyProcess, keyService) = try await KeyServiceFixture.launch(logLevel: "info")
        let organization = try await keyService.newOrganization()
        let catalogPort = try freePort()
        let catalog = try ChildProcess(
            ChildProcess.binDirectory.appendingPathComponent("catalog"),
            environment: [
                "DATABASE_URL": try await TestDatabase.create(), "PORT": String(catalogPort), "HOST": "127.0.0.1",
                "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
                "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "INTERVIEWS_CLIENT_SECRET": CatalogFixture.interviewsClient.secret,
            ].merging(Platform.noWebhooks) { $1 }
        )
        catalog.stopWhenTestsExit()
        try await HTTPExchange.waitUntilUp("http://127.0.0.1:\(catalogPort)/readyz")
        let gateway = try Gateway(keyServicePort: Int(keyService.baseURL.split(separator: ":").last!)!, catalogPort: catalogPort)
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")

        let writer = try await organization.key(["jobs:read", "jobs:write"]).key
        let reader = try await organization.key(["jobs:read"]).key
        let json = ("Content-Type", "application/json")
        let made = try await HTTPExchange.send(
            .POST, gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(writer)"), json], body: #"{"title":"Data engineer"}"#)
        #expect(made.status == 201, "\(made.body)")

        let listed = try await HTTPExchange.send(
            .GET, gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(reader)"), ("X-Request-Id", "e2e-catalog-list")])
        #expect(listed.status == 200)
        #expect((listed.json["data"] as? [[String: Any]])?.first?["title"] as? String == "Data engineer")
        #expect(listed.headers["X-Request-Id"] == ["e2e-catalog-list"])

        let refused = try await HTTPExchange.send(
            .POST, gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(reader)"), json], body: #"{"title":"x"}"#)
        #expect(refused.status == 403)
        #expect(refused.errorCode == "FORBIDDEN")
        #expect(((refused.json["error"] as? [String: Any])?["requiredScope"] as? String) == "jobs:write")
        #expect(refused.headers.first(name: "WWW-Authenticate") == #"Bearer realm="evalyo", error="insufficient_scope", scope="jobs:write""#)

        let anonymous = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/candidates")
        #expect(anonymous.status == 401)
        #expect(try await HTTPExchange.send(.GET, gateway.url + "/api/v1/jobsearch", headers: [("Authorization", "Bearer \(reader)")]).status == 404)

        // The request id went on to the key service with the introspection call (its log is
        // written every few milliseconds: give the line a moment).
        func introspectionLogged() -> Bool {
            keyProcess.output.split(separator: "\n").contains {
                $0.contains(#""request_id":"e2e-catalog-list""#) && $0.contains(#""route":"/internal/introspect""#)
            }
        }
        for _ in 0..<40 where !introspectionLogged() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(introspectionLogged())
        catalog.signal(SIGTERM)
        #expect(try await catalog.waitForExit(timeout: .seconds(15)) == 0)
        let lines = catalog.output.split(separator: "\n")
        #expect(lines.contains { $0.contains(#""request_id":"e2e-catalog-list""#) && $0.contains(#""status":"200""#) })
        #expect(!catalog.output.contains(reader.dropFirst(8)) && !catalog.output.contains(writer.dropFirst(8)))

        // With the catalog stopped, the gateway answers for it in the API's error shape.
        let down = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(reader)")])
        #expect(down.status == 503 && down.errorCode == "SERVICE_UNAVAILABLE")
        await gateway.stop()
        keyProcess.signal(SIGTERM)
    }
}
