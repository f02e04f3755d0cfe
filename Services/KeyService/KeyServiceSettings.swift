import Foundation
import Hummingbird
import MiniRedis
import Shared

/// The key service's settings: the common ones plus the console's and introspection's.
struct KeyServiceSettings: Sendable {
    var service: ServiceConfiguration
    /// Who may call `/internal/introspect` (`INTERNAL_CLIENTS`).
    var internalCallers: InternalCallers
    /// How long a console session lasts (`CONSOLE_SESSION_HOURS`, default 8).
    var sessionLifetime: Duration
    /// Whether the session cookie carries `Secure` (`CONSOLE_SECURE_COOKIE`, default true; set it
    /// to false only for plain-HTTP local use, as `scripts/run` does).
    var secureCookie: Bool
    /// Origins besides the service's own host allowed to change state (`CONSOLE_ALLOWED_ORIGINS`).
    var allowedOrigins: Set<String>
    /// How often `lastUsedAt` is written (`LAST_USED_FLUSH_SECONDS`, default 30: within a minute).
    var usageFlushInterval: Duration
    /// bcrypt cost of console passwords (`BCRYPT_COST`, default 12).
    var bcryptCost: Int
    /// Whose `X-Real-IP` is believed when counting sign-in attempts (`TRUSTED_PROXIES`).
    var clientAddress: ClientAddress
    /// Threads that check console passwords (`PASSWORD_CHECK_THREADS`, default 1) and checks
    /// that may wait for them (`PASSWORD_CHECK_QUEUE`, default 8) before sign-ins get 503.
    var passwordCheckThreads: Int
    /// Sign-in throttling (docs/design/hostile-clients.md): `SIGN_IN_FAILURES_PER_EMAIL` (5 in 15 minutes) and
    /// `SIGN_IN_ATTEMPTS_PER_MINUTE` (30) per client address.
    var signInFailuresPerEmail: Int
    var signInAttemptsPerMinute: Int
    /// Database connections of the throttle's own pool (`SIGN_IN_DATABASE_POOL_SIZE`, default 2):
    /// sign-ins that wait their turn wait there, never for a connection introspection needs.
    var signInPoolSize: Int
    var passwordCheckQueue: Int
    /// Encrypts two-factor secrets at rest (`TWO_FACTOR_ENCRYPTION_KEY`, required by `serve`; nil
    /// for `create-admin`, which needs none).
    var twoFactorKey: SecretBox?
    /// The webhooks service, which serves the console's Webhooks pages (`WEBHOOKS_URL`,
    /// `WEBHOOKS_CLIENT_ID`, `WEBHOOKS_CLIENT_SECRET`: this service's entry in its `CONSOLE_CLIENTS`,
    /// required by `serve`; `WEBHOOKS_TIMEOUT_MS`, default 5000, before the page's call is 503).
    var webhooks: InternalServiceClient?
    /// The file of trusted secret scanners' public keys (`LEAK_REPORTER_KEYS_FILE`); none: no leak reports.
    var leakReporterKeysFile: String?

    /// Where the rate-limit ledger is kept (`RATE_LIMIT_STORE`): nil, the key service's own
    /// database; or a Redis server.
    var rateLimitRedis: RedisConfiguration?

    /// `serving`: the settings of `serve`, with the secrets only it needs; false for the operators' commands.
    init(environment: Environment, serving: Bool = true) throws {
        self.service = try ServiceConfiguration(environment: environment, defaultPort: 8081, defaultDatabase: "evalyo_keys")
        self.internalCallers = try InternalCallers(environment: environment)
        self.sessionLifetime = .seconds(3600 * (try environment.integer("CONSOLE_SESSION_HOURS", default: 8, in: 1...720)))
        self.secureCookie = try environment.bool("CONSOLE_SECURE_COOKIE", default: true)
        self.allowedOrigins = Set(
            (environment.get("CONSOLE_ALLOWED_ORIGINS") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        )
        self.usageFlushInterval = .seconds(try environment.integer("LAST_USED_FLUSH_SECONDS", default: 30, in: 1...60))
        self.bcryptCost = try environment.integer("BCRYPT_COST", default: 12, in: 4...16)
        self.clientAddress = try ClientAddress(environment: environment)
        self.signInFailuresPerEmail = try environment.integer("SIGN_IN_FAILURES_PER_EMAIL", default: 5, in: 1...1000)
        self.signInAttemptsPerMinute = try environment.integer("SIGN_IN_ATTEMPTS_PER_MINUTE", default: 30, in: 1...100_000)
        self.signInPoolSize = try environment.integer("SIGN_IN_DATABASE_POOL_SIZE", default: 2, in: 1...50)
        self.passwordCheckThreads = try environment.integer("PASSWORD_CHECK_THREADS", default: 1, in: 1...64)
        self.passwordCheckQueue = try environment.integer("PASSWORD_CHECK_QUEUE", default: 8, in: 0...1000)
        if serving {
            self.twoFactorKey = try SecretBox.twoFactor(environment: environment)
            self.webhooks = InternalServiceClient(
                baseURL: environment.get("WEBHOOKS_URL") ?? "http://127.0.0.1:8085", clientId: environment.get("WEBHOOKS_CLIENT_ID") ?? "key-service",
                clientSecret: try environment.secret(
                    "WEBHOOKS_CLIENT_SECRET", purpose: "the key service's secret for the webhooks service, which serves the console's Webhooks pages"),
                timeout: .milliseconds(try environment.integer("WEBHOOKS_TIMEOUT_MS", default: 5000, in: 50...30000)))
        }
        self.rateLimitRedis = try Self.rateLimitStore(environment: environment)
        if let path = environment.get("LEAK_REPORTER_KEYS_FILE"), !path.isEmpty {
            do {
                _ = try ReporterKeys.read(path)
                self.leakReporterKeysFile = path
            } catch {
                throw ConfigurationError("LEAK_REPORTER_KEYS_FILE must name a readable file of public keys in GitHub's format (\(error))")
            }
        }
    }

    /// `RATE_LIMIT_STORE`: unset or `postgres` for the database, `redis://[[user]:password@]host[:port][/db]`
    /// for Redis, with `RATE_LIMIT_STORE_CONNECTIONS` (4) and `RATE_LIMIT_STORE_TIMEOUT_MS` (100).
    static func rateLimitStore(environment: Environment) throws -> RedisConfiguration? {
        let store = environment.get("RATE_LIMIT_STORE") ?? ""
        guard !store.isEmpty, store.lowercased() != "postgres" else { return nil }
        let connections = try environment.integer("RATE_LIMIT_STORE_CONNECTIONS", default: 4, in: 1...64)
        let timeout = Duration.milliseconds(try environment.integer("RATE_LIMIT_STORE_TIMEOUT_MS", default: 100, in: 5...10_000))
        do {
            let redis = try RedisConfiguration(url: store, connections: connections, timeout: timeout)
            if let password = redis.password, let mark = SecretPolicy.placeholderMark(in: password) {
                throw ConfigurationError(
                    "RATE_LIMIT_STORE's password is a placeholder (it contains \"\(mark)\"): generate real secrets with scripts/make-env")
            }
            return redis
        } catch let error as RedisURLError {
            throw ConfigurationError("RATE_LIMIT_STORE must be postgres or a redis://[[user]:password@]host[:port][/db] URL: it \(error)")
        }
    }
}
