import Foundation

/// The whole platform as separate real processes: the four service executables, each on its own
/// database, wired as `scripts/run` wires them, behind the real nginx gateway.
public struct Platform: Sendable {
    /// The credentials the agent runtime uses for the interviews service's `/internal/` endpoints.
    public static let runtimeClient = "runtime:runtime-test-secret-0123456789abcdef"
    /// The credentials the interviews service uses to deliver events to the reports service.
    static let reportsClient = (id: "interviews", secret: "interviews-reports-secret-0123456789abc")
    /// The key that seals webhook endpoints' signing secrets.
    public static let webhookSecretsKey = "webhook-secrets-key-0123456789abcdefghij"
    /// The credentials each producer uses to hand events over to the webhooks service.
    public static let webhookProducers = ["interviews", "reports", "catalog"].map { (id: $0, secret: "\($0)-webhooks-secret-0123456789abcdef") }

    public let keyService: KeyServiceFixture.Running
    public let gateway: Gateway
    /// Each service's own address, for the internal endpoints the gateway hides.
    public let catalogURL: String
    public let interviewsURL: String
    public let reportsURL: String
    public let webhooksURL: String
    /// The interviews service's database (its outbox and parked events).
    public let interviewsDatabaseURL: String
    /// Every service process, key service first.
    public let processes: [ChildProcess]

    /// Starts every process; returns once each answers `/readyz` and the gateway `/healthz`.
    /// `resourceEnvironment` is added to the settings of the three resource services.
    /// `keyServiceEnvironment` is added to the key service's, which uses `keyServiceDatabaseURL` when
    /// given (a private PostgreSQL a test may pause). With `gatewayCertificates` the
    /// gateway serves HTTPS too (`gateway.httpsURL`).
    public static func launch(
        resourceEnvironment: [String: String] = [:], keyServiceEnvironment: [String: String] = [:], keyServiceDatabaseURL: String? = nil,
        gatewayCertificates: TestCertificates? = nil
    ) async throws -> Platform {
        let (keyProcess, keyService) = try await KeyServiceFixture.launch(databaseURL: keyServiceDatabaseURL, environment: keyServiceEnvironment)
        // The catalog and the interviews service ask each other for facts: the latter's port is chosen first.
        let interviewsPort = try freePort()
        let (catalogProcess, catalog) = try await CatalogFixture.launch(
            keyService: keyService, environment: ["INTERVIEWS_URL": "http://127.0.0.1:\(interviewsPort)"].merging(resourceEnvironment) { $1 }
        )
        let introspection = [
            "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
            "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "HOST": "127.0.0.1", "LOG_LEVEL": "info",
        ].merging(resourceEnvironment) { $1 }
        let (reportsProcess, reportsPort, _) = try await start(
            "reports",
            introspection.merging([
                "INTERNAL_CLIENTS": "\(reportsClient.id):\(reportsClient.secret)"
            ]) { $1 })
        // Webhooks may go to this machine over plain http, as with scripts/run, so a test's receiver can take them.
        let (webhooksProcess, webhooksPort, _) = try await start(
            "webhooks",
            introspection.merging([
                "INTERNAL_CLIENTS": webhookProducers.map { "\($0.id):\($0.secret)" }.joined(separator: ","),
                "WEBHOOK_SECRETS_KEY": webhookSecretsKey, "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_ALLOW_HTTP": "true",
            ]) { $1 })
        let (interviewsProcess, _, interviewsDatabase) = try await start(
            "interviews",
            introspection.merging([
                "CATALOG_URL": catalog.baseURL, "CATALOG_CLIENT_ID": CatalogFixture.clientId, "CATALOG_CLIENT_SECRET": CatalogFixture.clientSecret,
                "INTERNAL_CLIENTS": runtimeClient, "REPORTS_URL": "http://127.0.0.1:\(reportsPort)",
                "REPORTS_CLIENT_ID": reportsClient.id, "REPORTS_CLIENT_SECRET": reportsClient.secret,
                "FACTS_CLIENTS": "\(CatalogFixture.interviewsClient.id):\(CatalogFixture.interviewsClient.secret)",
            ]) { $1 }, port: interviewsPort)
        let gateway = try Gateway(
            keyServicePort: port(of: keyService.baseURL), catalogPort: port(of: catalog.baseURL),
            interviewsPort: interviewsPort, reportsPort: reportsPort, webhooksPort: webhooksPort, certificates: gatewayCertificates
        )
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        return Platform(
            keyService: keyService, gateway: gateway, catalogURL: catalog.baseURL,
            interviewsURL: "http://127.0.0.1:\(interviewsPort)", reportsURL: "http://127.0.0.1:\(reportsPort)",
            webhooksURL: "http://127.0.0.1:\(webhooksPort)",
            interviewsDatabaseURL: interviewsDatabase,
            processes: [keyProcess, catalogProcess, interviewsProcess, reportsProcess, webhooksProcess]
        )
    }

    /// Starts one service executable on a fresh database and a free port, and waits until it is ready.
    private static func start(_ executable: String, _ environment: [String: String], port: Int? = nil) async throws -> (ChildProcess, Int, String) {
        let port = try port ?? freePort()
        let database = try await TestDatabase.create()
        let process = try ChildProcess(
            ChildProcess.binDirectory.appendingPathComponent(executable),
            environment: environment.merging(["DATABASE_URL": database, "PORT": String(port)]) { $1 }
        )
        process.stopWhenTestsExit()
        try await HTTPExchange.waitUntilUp("http://127.0.0.1:\(port)/readyz")
        return (process, port, database)
    }

    /// The port of a `http://host:port` address.
    private static func port(of url: String) -> Int {
        Int(url.split(separator: ":").last!)!
    }

    /// Each resource service's own address with a path that a key holding `readScopes` may read.
    public var readURLs: [String] {
        [catalogURL + "/api/v1/jobs", interviewsURL + "/api/v1/agents", reportsURL + "/api/v1/reports"]
    }

    /// The scopes that `readURLs` need.
    public static let readScopes = ["jobs:read", "agents:read", "reports:read"]

    /// The status `url` answers to a GET with `key`.
    public static func status(_ url: String, key: String) async throws -> Int {
        try await HTTPExchange.send(.GET, url, headers: [("Authorization", "Bearer \(key)")]).status
    }

    /// Stops the gateway, then every service with SIGTERM; returns each service's exit status.
    public func stop() async -> [Int32?] {
        await gateway.stop()
        var statuses: [Int32?] = []
        for process in processes.reversed() {
            process.signal(SIGTERM)
            statuses.append(try? await process.waitForExit(timeout: .seconds(15)))
        }
        return statuses
    }
}
