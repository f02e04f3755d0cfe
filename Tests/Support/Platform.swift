import Foundation

/// The whole platform as separate real processes: the four service executables, each on its own
/// database, wired as `scripts/run` wires them, behind the real nginx gateway.
public struct Platform: Sendable {
    /// The credentials the agent runtime uses for the interviews service's `/internal/` endpoints.
    public static let runtimeClient = "runtime:runtime-test-secret-0123456789abcdef"
    /// The credentials the interviews service uses to deliver events to the reports service.
    static let reportsClient = (id: "interviews", secret: "interviews-reports-secret-0123456789abc")
    /// A producer's settings for a webhooks service that is not there: its webhook events wait in its outbox.
    public static let noWebhooks = ["WEBHOOKS_URL": "http://127.0.0.1:1", "WEBHOOKS_CLIENT_SECRET": "unheard-webhooks-secret-0123456789abc"]
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
    /// The whole environment each of `start`'s services was started with (its database and port
    /// included), by executable name: a test restarts one as it was.
    public let environments: [String: [String: String]]

    /// Starts every process; returns once each answers `/readyz` and the gateway `/healthz`.
    /// `resourceEnvironment` is added to the settings of the three resource services.
    /// `keyServiceEnvironment` is added to the key service's, which uses `keyServiceDatabaseURL` when
    /// given (a private PostgreSQL a test may pause). With `gatewayCertificates` the
    /// gateway serves HTTPS too (`gateway.httpsURL`).
    public static func launch(
        resourceEnvironment: [String: String] = [:], keyServiceEnvironment: [String: String] = [:], keyServiceDatabaseURL: String? = nil,
        gatewayCertificates: TestCertificates? = nil
    ) async throws -> Platform {
        // The catalog and the interviews service ask each other for facts, every producer hands
        // events over to the webhooks service, and the key service serves its console pages
        // through it: their ports are chosen first.
        let interviewsPort = try freePort()
        let webhooksPort = try freePort()
        let (keyProcess, keyService) = try await KeyServiceFixture.launch(
            databaseURL: keyServiceDatabaseURL,
            environment: ["WEBHOOKS_URL": "http://127.0.0.1:\(webhooksPort)"].merging(keyServiceEnvironment) { $1 })
        func producer(_ id: String) -> [String: String] {
            let secret = webhookProducers.first { $0.id == id }!.secret
            return ["WEBHOOKS_URL": "http://127.0.0.1:\(webhooksPort)", "WEBHOOKS_CLIENT_ID": id, "WEBHOOKS_CLIENT_SECRET": secret]
        }
        let (catalogProcess, catalog) = try await CatalogFixture.launch(
            keyService: keyService,
            environment: ["INTERVIEWS_URL": "http://127.0.0.1:\(interviewsPort)"].merging(producer("catalog")) { $1 }.merging(resourceEnvironment) {
                $1
            }
        )
        let introspection = [
            "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
            "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "HOST": "127.0.0.1", "LOG_LEVEL": "info",
        ].merging(resourceEnvironment) { $1 }
        let (reportsProcess, reportsPort, reportsEnvironment) = try await start(
            "reports",
            introspection.merging([
                "INTERNAL_CLIENTS": "\(reportsClient.id):\(reportsClient.secret)"
            ]) { $1 }.merging(producer("reports")) { $1 })
        // Webhooks may go to this machine over plain http, as with scripts/run, so a test's receiver can take them.
        let (webhooksProcess, _, webhooksEnvironment) = try await start(
            "webhooks",
            introspection.merging([
                "INTERNAL_CLIENTS": webhookProducers.map { "\($0.id):\($0.secret)" }.joined(separator: ","),
                "WEBHOOK_SECRETS_KEY": webhookSecretsKey, "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_ALLOW_HTTP": "true",
                "CONSOLE_CLIENTS": "key-service:\(KeyServiceFixture.consoleWebhooksSecret)",
            ]) { $1 }, port: webhooksPort)
        let (interviewsProcess, _, interviewsEnvironment) = try await start(
            "interviews",
            introspection.merging([
                "CATALOG_URL": catalog.baseURL, "CATALOG_CLIENT_ID": CatalogFixture.clientId, "CATALOG_CLIENT_SECRET": CatalogFixture.clientSecret,
                "INTERNAL_CLIENTS": runtimeClient, "REPORTS_URL": "http://127.0.0.1:\(reportsPort)",
                "REPORTS_CLIENT_ID": reportsClient.id, "REPORTS_CLIENT_SECRET": reportsClient.secret,
                "FACTS_CLIENTS": "\(CatalogFixture.interviewsClient.id):\(CatalogFixture.interviewsClient.secret)",
            ]) { $1 }.merging(producer("interviews")) { $1 }, port: interviewsPort)
        let gateway = try Gateway(
            keyServicePort: port(of: keyService.baseURL), catalogPort: port(of: catalog.baseURL),
            interviewsPort: interviewsPort, reportsPort: reportsPort, webhooksPort: webhooksPort, certificates: gatewayCertificates
        )
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        return Platform(
            keyService: keyService, gateway: gateway, catalogURL: catalog.baseURL,
            interviewsURL: "http://127.0.0.1:\(interviewsPort)", reportsURL: "http://127.0.0.1:\(reportsPort)",
            webhooksURL: "http://127.0.0.1:\(webhooksPort)",
            interviewsDatabaseURL: interviewsEnvironment["DATABASE_URL"]!,
            processes: [keyProcess, catalogProcess, interviewsProcess, reportsProcess, webhooksProcess],
            environments: ["reports": reportsEnvironment, "webhooks": webhooksEnvironment, "interviews": interviewsEnvironment]
        )
    }

    /// Starts one service executable on a fresh database and a free port, and waits until it is
    /// ready; returns it, its port and its whole environment.
    private static func start(_ executable: String, _ environment: [String: String], port: Int? = nil) async throws -> (
        ChildProcess, Int, [String: String]
    ) {
        let port = try port ?? freePort()
        let environment = environment.merging(["DATABASE_URL": try await TestDatabase.create(), "PORT": String(port)]) { $1 }
        return (try await relaunch(executable, environment), port, environment)
    }

    /// Starts `executable` with `environment` and waits until it answers `/readyz`.
    private static func relaunch(_ executable: String, _ environment: [String: String]) async throws -> ChildProcess {
        let process = try ChildProcess(ChildProcess.binDirectory.appendingPathComponent(executable), environment: environment)
        process.stopWhenTestsExit()
        try await HTTPExchange.waitUntilUp("http://127.0.0.1:\(environment["PORT"]!)/readyz")
        return process
    }

    /// Starts `executable` (`reports`, `webhooks` or `interviews`) again as it was first started:
    /// its database, port and settings (after the test stopped the first process).
    public func restart(_ executable: String) async throws -> ChildProcess {
        try await Self.relaunch(executable, environments[executable]!)
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
