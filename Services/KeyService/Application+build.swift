import Hummingbird
import Logging
import MiniRedis
import PostgresNIO
import Shared

/// The key service: console session and key routes, introspection, health and metrics.
func buildApplication(settings: KeyServiceSettings, metrics: ServiceMetrics, logger: Logger) async throws -> some ApplicationProtocol {
    if settings.internalCallers.isEmpty {
        logger.warning("INTERNAL_CLIENTS is empty: every introspection request will be refused")
    }
    guard let box = settings.twoFactorKey else { throw ConfigurationError("\(SecretBox.twoFactorVariable) must be set to serve the console") }
    guard settings.webhooks != nil else { throw ConfigurationError("WEBHOOKS_CLIENT_SECRET must be set to serve the console") }
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let keys = APIKeyRepository(client: postgres, logger: logger)
    let accounts = ConsoleAccountRepository(client: postgres, logger: logger)
    let usage = UsageRecorder(keys: keys, interval: settings.usageFlushInterval, logger: logger)
    let notifier = RevocationNotifier(keys: keys, logger: logger)
    let ledger: any RateLimitLedger =
        if let redis = settings.rateLimitRedis {
            RedisRateLimitLedger(redis: RedisClient(configuration: redis, logger: logger), logger: logger)
        } else {
            PostgresRateLimitLedger(client: postgres, logger: logger)
        }
    logger.info(
        "rate-limit ledger: \(settings.rateLimitRedis.map { "Redis at \($0.host):\($0.port)" } ?? "the key service's database")")
    // `key.expired` in the audit trail once for each rolled key whose expiry passed. Refusing the
    // key needs nothing from it: introspection compares the expiry with the database's clock.
    let expiries = PeriodicJob(
        every: .seconds(1), done: "rolled keys expired", failed: "could not record key expiries", logger: logger, work: keys.recordExpiries)
    let reporters = try settings.leakReporterKeysFile.map { try ReporterKeys(path: $0, logger: logger) }
    // The throttle's own connections: a flood of sign-ins queues there, while introspection and
    // rate-limit leases keep the main pool (docs/design/hostile-clients.md).
    let signInPool = try ServiceRuntime.makePostgresClient(configuration: settings.service, poolSize: settings.signInPoolSize, logger: logger)
    let throttle = SignInThrottle(
        client: signInPool, failuresPerEmail: settings.signInFailuresPerEmail, attemptsPerAddress: settings.signInAttemptsPerMinute, logger: logger
    )
    let passwords = PasswordChecker(threads: settings.passwordCheckThreads, queueLimit: settings.passwordCheckQueue)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics)
    try buildRouter(
        router, settings: settings, keys: keys, accounts: accounts, usage: usage, notifier: notifier, ledger: ledger,
        throttle: throttle, passwords: passwords, box: box, reporters: reporters, metrics: metrics
    )
    return ServiceRuntime.makeApplication(
        name: "key-service",
        configuration: settings.service,
        router: router,
        postgres: postgres,
        migrations: KeyServiceMigrations.all,
        services: [signInPool, usage, notifier, ledger, expiries, throttle, passwords] + (reporters.map { [ReporterKeysReloader(keys: $0)] } ?? []),
        logger: logger
    )
}

/// Adds the key service's own routes to a router that already has the shared middleware; returns
/// the console's role table.
@discardableResult
func buildRouter(
    _ router: Router<AppRequestContext>,
    settings: KeyServiceSettings,
    keys: APIKeyRepository,
    accounts: ConsoleAccountRepository,
    usage: UsageRecorder,
    notifier: RevocationNotifier,
    ledger: any RateLimitLedger,
    throttle: SignInThrottle,
    passwords: PasswordChecker,
    box: SecretBox,
    reporters: ReporterKeys? = nil,
    metrics: ServiceMetrics
) throws -> [ConsoleRoute] {
    let authenticator = ConsoleAuthenticator(accounts: accounts)
    try ConsolePageController().addRoutes(to: router.group("console"))
    try APIDocsController().addRoutes(to: router)
    let api = router.group("console/api")
        .add(middleware: OriginCheckMiddleware(allowedOrigins: settings.allowedOrigins, forwarding: settings.clientAddress))
    // Every console route for members is declared with its least role (docs/api-guide.md, "Members and roles").
    let console = ConsoleRoutes(group: api, authenticator: authenticator)
    let sessions = SessionIssuer(
        accounts: accounts, clientAddress: settings.clientAddress, sessionLifetime: settings.sessionLifetime, secureCookie: settings.secureCookie)
    let codes = TwoFactorCodes(accounts: accounts, box: box)
    ConsoleSessionController(
        accounts: accounts, authenticator: authenticator, throttle: throttle, passwords: passwords, codes: codes, sessions: sessions,
        bcryptCost: settings.bcryptCost
    ).addRoutes(to: api.group("session"), members: console)
    APIKeyController(keys: keys).addRoutes(to: console)
    AuditController(client: accounts.client, logger: accounts.logger).addRoutes(to: console)
    MembersController(accounts: accounts, passwords: passwords, sessions: sessions, bcryptCost: settings.bcryptCost).addRoutes(
        to: console, public: api)
    TwoFactorController(accounts: accounts, codes: codes).addRoutes(to: console)
    if let webhooks = settings.webhooks { ConsoleWebhooksController(webhooks: webhooks).addRoutes(to: console) }
    MeController(
        accounts: accounts, passwords: passwords, throttle: throttle, clientAddress: settings.clientAddress, bcryptCost: settings.bcryptCost
    ).addRoutes(to: console)
    LeakReportController(keys: keys, reporters: reporters).addRoutes(to: router)
    let internalRoutes = router.internalRoutes(callers: settings.internalCallers)
    IntrospectionController(keys: keys, usage: usage, metrics: metrics).addRoutes(to: internalRoutes)
    RevocationFeedController(keys: keys, notifier: notifier).addRoutes(to: internalRoutes)
    RateLimitLeaseController(ledger: ledger, metrics: metrics, logger: ledger.logger).addRoutes(to: internalRoutes)
    return console.table
}
