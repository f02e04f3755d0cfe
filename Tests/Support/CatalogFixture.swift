import Foundation

/// The real `catalog` executable, started once per test process in front of the shared key
/// service, for services that ask the catalog for facts.
public actor CatalogFixture {
    public static let shared = CatalogFixture()
    /// The credentials a service under test uses for the catalog's `/internal/` endpoints.
    public static let clientId = "interviews"
    public static let clientSecret = "interviews-test-secret-0123456789abc"
    /// The catalog's credentials for the interviews service's `/internal/facts` (its `FACTS_CLIENTS`).
    public static let interviewsClient = (id: "catalog", secret: "catalog-interviews-secret-0123456789abc")

    public struct Running: Sendable {
        public let baseURL: String
        public let keyService: KeyServiceFixture.Running
    }

    private var launching: Task<(process: ChildProcess, running: Running), any Error>?

    /// Starts the catalog on first use; later calls return the same one.
    public func start() async throws -> Running {
        if launching == nil {
            launching = Task { try await Self.launch(keyService: try await KeyServiceFixture.shared.start()) }
        }
        return try await launching!.value.running
    }

    /// Launches a catalog that the caller owns, with `environment` added to its settings; on
    /// `databaseURL` and `port` when given (to start it again where a test killed it).
    public static func launch(
        keyService: KeyServiceFixture.Running, environment extra: [String: String] = [:], databaseURL: String? = nil, port: Int? = nil
    ) async throws -> (process: ChildProcess, running: Running) {
        let port = try port ?? freePort()
        var database = databaseURL ?? ""
        if databaseURL == nil { database = try await TestDatabase.create() }
        let process = try ChildProcess(
            ChildProcess.binDirectory.appendingPathComponent("catalog"),
            environment: [
                "DATABASE_URL": database, "PORT": String(port), "HOST": "127.0.0.1", "LOG_LEVEL": "warning",
                "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
                "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "INTERNAL_CLIENTS": "\(clientId):\(clientSecret)",
                // No interviews service unless the caller names one: a campaign naming an agent is then 503.
                "INTERVIEWS_URL": "http://127.0.0.1:1", "INTERVIEWS_CLIENT_ID": interviewsClient.id,
                "INTERVIEWS_CLIENT_SECRET": interviewsClient.secret,
            ].merging(Platform.noWebhooks) { $1 }.merging(extra) { $1 }
        )
        process.stopWhenTestsExit()
        let baseURL = "http://127.0.0.1:\(port)"
        try await HTTPExchange.waitUntilUp(baseURL + "/readyz")
        return (process, Running(baseURL: baseURL, keyService: keyService))
    }
}

extension CatalogFixture.Running {
    /// Creates a catalog resource with `key` and returns its id.
    public func create(_ path: String, key: String, _ body: [String: any Sendable]) async throws -> String {
        let data = try JSONSerialization.data(withJSONObject: body)
        let answer = try await HTTPExchange.send(
            .POST, baseURL + path, headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json")],
            body: String(decoding: data, as: UTF8.self)
        )
        guard answer.status == 201, let id = answer.json["id"] as? String ?? answer.json["candidateId"] as? String else {
            throw TestSetupError("creating \(path) failed: \(answer.status) \(answer.body)")
        }
        return id
    }
}
