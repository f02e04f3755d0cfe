import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

/// A key service on a fresh database, with one organization and admin, driven through its router.
struct KeyServiceHarness {
    static let clientId = "catalog"
    static let clientSecret = "catalog-secret-0123456789abcdefghij"
    static let password = "correct horse battery"

    let databaseURL: String
    let settings: KeyServiceSettings
    let logs = LogCapture()

    init(environment extra: [String: String] = [:]) async throws {
        let url = try await TestDatabase.create()
        self.databaseURL = url
        var values = [
            "DATABASE_URL": url, "INTERNAL_CLIENTS": "\(Self.clientId):\(Self.clientSecret),reports:reports-secret-0123456789abcdefghij",
            "BCRYPT_COST": "4", "CONSOLE_SECURE_COOKIE": "false", "LAST_USED_FLUSH_SECONDS": "1", "DATABASE_POOL_SIZE": "4",
            "TWO_FACTOR_ENCRYPTION_KEY": KeyServiceFixture.twoFactorKey, "WEBHOOKS_URL": "http://127.0.0.1:1",
            "WEBHOOKS_CLIENT_SECRET": KeyServiceFixture.consoleWebhooksSecret, "WEBHOOKS_TIMEOUT_MS": "100",
        ]
        values.merge(extra) { $1 }
        self.settings = try KeyServiceSettings(environment: Environment(values: values))
    }

    /// The console's role table, as the application declares it (its routes are not served).
    func consoleRouteTable() throws -> [ConsoleRoute] {
        let logger = Logger(label: "route-table")
        let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
        let keys = APIKeyRepository(client: postgres, logger: logger)
        let passwords = PasswordChecker(threads: 1, queueLimit: 1)
        defer { try? passwords.pool.syncShutdownGracefully() }
        return try buildRouter(
            Router(context: AppRequestContext.self), settings: settings, keys: keys,
            accounts: ConsoleAccountRepository(client: postgres, logger: logger),
            usage: UsageRecorder(keys: keys, interval: .seconds(1), logger: logger), notifier: RevocationNotifier(keys: keys, logger: logger),
            ledger: PostgresRateLimitLedger(client: postgres, logger: logger),
            throttle: SignInThrottle(client: postgres, failuresPerEmail: 5, attemptsPerAddress: 30, logger: logger), passwords: passwords,
            box: try #require(settings.twoFactorKey), metrics: ServiceMetrics())
    }

    /// Runs `body` against the application; migrations have run by then.
    func run(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let app = try await buildApplication(settings: settings, metrics: ServiceMetrics(), logger: logs.logger(label: "key-service"))
        let url = databaseURL
        try await app.test(.router) { client in
            try await body(Client(client: client, databaseURL: url))
        }
    }

    /// A test client with helpers for the console and introspection.
    struct Client: Sendable {
        let client: any TestClientProtocol
        let databaseURL: String

        /// Creates an organization and admin straight in the database; returns the admin's email.
        @discardableResult
        func createOrganization(_ name: String = "Org \(UUID())", email: String = "admin-\(UUID())@example.com") async throws -> String {
            let hash = Bcrypt.hash(KeyServiceHarness.password, cost: 4)
            _ = try await TestDatabase.withClient(databaseURL) { postgres in
                try await ConsoleAccountRepository(client: postgres, logger: Logger(label: "test"))
                    .createOrganization(name: name, adminEmail: email, passwordHash: hash)
            }
            return email
        }

        /// Signs in and returns the `Cookie` header value for later requests.
        func signIn(email: String, password: String = KeyServiceHarness.password) async throws -> String {
            let response = try await client.execute(
                uri: "/console/api/session", method: .post, headers: [.contentType: "application/json", .origin: "http://localhost"],
                body: json(["email": email, "password": password])
            )
            #expect(response.status == .ok)
            let setCookie = try #require(response.headers[.setCookie])
            return String(setCookie.split(separator: ";")[0])
        }

        /// A new organization with a signed-in admin: its cookie.
        func signedInAdmin() async throws -> String {
            try await signIn(email: try await createOrganization())
        }

        /// Sends a console request with the session cookie, from the console's own origin (the
        /// test client addresses every request to "localhost") unless `headers` say otherwise.
        @discardableResult
        func console(_ method: HTTPRequest.Method, _ uri: String, cookie: String?, body: [String: any Sendable]? = nil, headers: HTTPFields = [:])
            async throws -> TestResponse
        {
            var headers = headers
            if let cookie { headers[.cookie] = cookie }
            if headers[.origin] == nil, headers[HTTPField.Name("Sec-Fetch-Site")!] == nil { headers[.origin] = "http://localhost" }
            headers[.contentType] = "application/json"
            return try await client.execute(uri: uri, method: method, headers: headers, body: body.map(json))
        }

        /// A member of `role` in the organization of `cookie`'s OWNER, through an invitation:
        /// their id, email and session cookie.
        func member(_ role: ConsoleRole, invitedWith cookie: String) async throws -> (id: String, email: String, cookie: String) {
            let email = "\(role.rawValue.lowercased())-\(UUID())@example.com"
            let invited = try await console(.post, "/console/api/invitations", cookie: cookie, body: ["email": email, "role": role.rawValue])
            #expect(invited.status == .created, "\(String(buffer: invited.body))")
            let accepted = try await accept(try invitationToken(invited), password: KeyServiceHarness.password)
            #expect(accepted.status == .created, "\(String(buffer: accepted.body))")
            struct Session: Decodable {
                struct User: Decodable { let id: String }
                let user: User
            }
            let setCookie = try #require(accepted.headers[.setCookie])
            return (try decode(Session.self, accepted).user.id, email, String(setCookie.split(separator: ";")[0]))
        }

        /// The token in an invitation's `invitationUrl` (after `#invitation=`).
        func invitationToken(_ response: TestResponse) throws -> String {
            struct Invitation: Decodable { let invitationUrl: String }
            let url = try decode(Invitation.self, response).invitationUrl
            return try #require(url.components(separatedBy: "#invitation=").last)
        }

        /// Accepts an invitation, as the page at its URL does (no session).
        func accept(_ token: String, password: String) async throws -> TestResponse {
            try await console(.post, "/console/api/invitations/accept", cookie: nil, body: ["token": token, "password": password])
        }

        /// Creates a key through the console API and returns the parsed response.
        func createKey(cookie: String, name: String = "integration", scopes: [String] = ["jobs:read"]) async throws -> KeyBody {
            let response = try await console(.post, "/console/api/keys", cookie: cookie, body: ["name": name, "scopes": scopes])
            #expect(response.status == .created)
            return try decode(KeyBody.self, response)
        }

        /// Introspects `token` with the given Basic credentials (the harness's own by default).
        func introspect(_ token: String, credentials: String? = "\(KeyServiceHarness.clientId):\(KeyServiceHarness.clientSecret)") async throws
            -> TestResponse
        {
            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            if let credentials {
                headers[.authorization] = "Basic " + Data(credentials.utf8).base64EncodedString()
            }
            let form = "token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)
            return try await client.execute(uri: "/internal/introspect", method: .post, headers: headers, body: ByteBuffer(string: form))
        }
    }

    struct KeyBody: Codable, Sendable {
        let id: UUID
        let name: String
        let prefix: String
        let scopes: [String]
        let createdAt: Date
        let createdBy: String?
        let lastUsedAt: Date?
        let revokedAt: Date?
        let status: String
        let key: String?
    }
}

/// A JSON body from a dictionary.
func json(_ object: [String: any Sendable]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

/// Decodes a response body with ISO-8601 dates.
func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(T.self, from: Data(response.body.readableBytesView))
}

/// The error object of a response in the API's error shape.
func errorOf(_ response: TestResponse) throws -> ContractError.Object {
    try decode(ContractError.self, response).error
}

/// The `requiredRole` of a 403, or what the response was instead.
func requiredRole(_ response: TestResponse) throws -> String? {
    guard response.status == .forbidden else { return "HTTP \(response.status.code)" }
    return try errorOf(response).requiredRole
}

/// The error code of a response of `status`, or what the response was instead.
func errorCode(_ response: TestResponse, _ status: HTTPResponse.Status) throws -> String {
    guard response.status == status else { return "HTTP \(response.status.code)" }
    return try errorOf(response).code
}
