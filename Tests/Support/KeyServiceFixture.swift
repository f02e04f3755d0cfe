import Foundation
import NIOHTTP1
import Synchronization

/// The real `key-service` executable, started once per test process on its own database and
/// shared by every test that needs API keys; each test makes its own organization.
public actor KeyServiceFixture {
    public static let shared = KeyServiceFixture()
    /// The credentials resource services under test use for introspection.
    public static let clientId = "catalog"
    public static let clientSecret = "catalog-test-secret-0123456789abcdef"
    /// The key service's credentials at the webhooks service (its `CONSOLE_CLIENTS`).
    public static let consoleWebhooksSecret = "key-service-webhooks-secret-0123456789abc"
    /// The key that encrypts two-factor secrets in every test key service.
    public static let twoFactorKey = "two-factor-test-key-0123456789abcdefghij"

    public struct Running: Sendable {
        public let baseURL: String
        public let databaseURL: String
        public var introspectionURL: String { baseURL + "/internal/introspect" }
    }

    /// One launch shared by every caller, even those that ask while it is starting. The task
    /// holds the process for the life of the test run: releasing it would stop the service.
    private var launching: Task<(process: ChildProcess, running: Running), any Error>?

    /// Starts the service on first use; later calls return the same one.
    public func start() async throws -> Running {
        if launching == nil {
            launching = Task { try await Self.launch() }
        }
        return try await launching!.value.running
    }

    /// Launches a separate key service that the caller owns (for tests that stop it); given a
    /// database and port, it starts again where an earlier one stopped.
    public static func launch(
        logLevel: String = "warning", databaseURL: String? = nil, port: Int? = nil, environment extra: [String: String] = [:]
    ) async throws -> (process: ChildProcess, running: Running) {
        let databaseURL = if let databaseURL { databaseURL } else { try await TestDatabase.create() }
        let port = try port ?? freePort()
        let process = try ChildProcess(
            ChildProcess.binDirectory.appendingPathComponent("key-service"),
            environment: [
                "DATABASE_URL": databaseURL, "PORT": String(port), "HOST": "127.0.0.1", "CONSOLE_SECURE_COOKIE": "false",
                "INTERNAL_CLIENTS": "\(clientId):\(clientSecret)", "BCRYPT_COST": "4", "LOG_LEVEL": logLevel,
                "TWO_FACTOR_ENCRYPTION_KEY": twoFactorKey,
                // No webhooks service unless the caller names one: the console's Webhooks pages are then 503.
                "WEBHOOKS_URL": "http://127.0.0.1:1", "WEBHOOKS_CLIENT_SECRET": consoleWebhooksSecret,
                // Every test's sign-ins come from 127.0.0.1; only the throttling tests keep the documented 30.
                "SIGN_IN_ATTEMPTS_PER_MINUTE": "100000",
            ].merging(extra) { $1 }
        )
        process.stopWhenTestsExit()
        let baseURL = "http://127.0.0.1:\(port)"
        try await HTTPExchange.waitUntilUp(baseURL + "/readyz")
        return (process, Running(baseURL: baseURL, databaseURL: databaseURL))
    }
}

extension KeyServiceFixture.Running {
    /// A new organization with its admin signed in to the console, at `consoleURL` (the
    /// gateway, say) or else at the key service itself. Its plan is Enterprise without limits
    /// unless `plan` says otherwise (`["starter"]`, `["enterprise", "--per-minute", "30"]`), so
    /// that rate limits never make tests of other features flaky.
    public func newOrganization(consoleURL: String? = nil, plan: [String] = ["enterprise"]) async throws -> TestOrganization {
        let baseURL = consoleURL ?? self.baseURL
        let name = "org-\(UUID().uuidString.prefix(12))"
        let email = "\(name)@example.com"
        let setup = try await ChildProcess.run(
            ChildProcess.binDirectory.appendingPathComponent("key-service"),
            arguments: ["create-admin", "--org", name, "--email", email, "--password", "password-123"],
            environment: ["DATABASE_URL": databaseURL, "BCRYPT_COST": "4"]
        )
        guard setup.status == 0 else { throw TestSetupError("create-admin failed: \(setup.output)") }
        let planned = try await ChildProcess.run(
            ChildProcess.binDirectory.appendingPathComponent("key-service"),
            arguments: ["set-plan", "--org", name, "--plan"] + plan, environment: ["DATABASE_URL": databaseURL]
        )
        guard planned.status == 0 else { throw TestSetupError("set-plan failed: \(planned.output)") }
        let signIn = try await HTTPExchange.send(
            .POST, baseURL + "/console/api/session", headers: [("Content-Type", "application/json")],
            body: #"{"email":"\#(email)","password":"password-123"}"#
        )
        guard signIn.status == 200, let cookie = signIn.headers.first(name: "Set-Cookie")?.split(separator: ";").first,
            let organizationId = (signIn.json["organization"] as? [String: Any])?["id"] as? String
        else { throw TestSetupError("sign-in failed: \(signIn.body)") }
        return TestOrganization(baseURL: baseURL, cookie: String(cookie), id: organizationId, email: email, password: "password-123")
    }
}

/// An organization in the key service, and the console session of its admin.
public struct TestOrganization: Sendable {
    public let baseURL: String
    public let cookie: String
    public let id: String
    /// The admin's sign-in.
    public let email: String
    /// The organization's name (the tests name it after its admin's email).
    public var name: String { String(email.split(separator: "@").first ?? "") }
    public let password: String

    /// Creates a key with these scopes; returns its id and plaintext.
    public func key(_ scopes: [String]) async throws -> (id: String, key: String) {
        let body = try JSONSerialization.data(withJSONObject: ["name": "test key", "scopes": scopes])
        let created = try await HTTPExchange.send(
            .POST, baseURL + "/console/api/keys", headers: [("Content-Type", "application/json"), ("Cookie", cookie)],
            body: String(decoding: body, as: UTF8.self)
        )
        guard created.status == 201, let id = created.json["id"] as? String, let key = created.json["key"] as? String else {
            throw TestSetupError("key creation failed: \(created.body)")
        }
        return (id, key)
    }

    /// The same admin session, signed in at another key-service process on the same database.
    public func on(_ otherBaseURL: String) -> TestOrganization {
        TestOrganization(baseURL: otherBaseURL, cookie: cookie, id: id, email: email, password: password)
    }

    /// A key holding every scope.
    public func keyWithEveryScope() async throws -> String {
        try await key(Self.allScopes).key
    }

    /// Rolls a key through the console API: the successor's id and plaintext, and the old key's
    /// `expiresAt` as the answer to a listing gives it.
    public func roll(_ id: String, expiresInSeconds: Int) async throws -> (id: String, key: String) {
        let answer = try await HTTPExchange.send(
            .POST, baseURL + "/console/api/keys/\(id)/roll", headers: [("Content-Type", "application/json"), ("Cookie", cookie)],
            body: #"{"expiresInSeconds":\#(expiresInSeconds)}"#
        )
        guard answer.status == 201, let newId = answer.json["id"] as? String, let key = answer.json["key"] as? String else {
            throw TestSetupError("rolling failed: \(answer.status) \(answer.body)")
        }
        return (newId, key)
    }

    /// A console API call with the admin's session; returns the answer.
    public func console(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> HTTPExchange {
        var headers = [("Cookie", cookie)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return try await HTTPExchange.send(method, baseURL + path, headers: headers, body: body)
    }

    /// Revokes a key.
    public func revoke(_ id: String) async throws {
        let answer = try await HTTPExchange.send(.POST, baseURL + "/console/api/keys/\(id)/revoke", headers: [("Cookie", cookie)])
        guard answer.status == 200 else { throw TestSetupError("revocation failed: \(answer.body)") }
    }

    public static let allScopes = [
        "interviews:read", "interviews:write", "candidates:read", "candidates:write", "jobs:read", "jobs:write",
        "campaigns:read", "campaigns:write", "stages:read", "stages:write", "tests:read", "tests:write",
        "reports:read", "agents:read", "agents:write", "webhooks:read", "webhooks:write",
    ]
}

/// A test's setup did not work; the message says which step.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
