import Foundation
import Hummingbird
import Logging
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// What every service's `buildApplication` assembles the same way: the router's middleware
/// and health routes, the database pool, migrations before the server accepts connections.
public enum ServiceRuntime {
    /// The whole life of a service process: reads its settings (a bad one ends the process with
    /// status 78 and a message naming it), sets up JSON logging and metrics, builds the
    /// application and runs it until SIGTERM or SIGINT.
    /// SIGTERM drains in-flight requests (each answered within its timeout) and stops the
    /// services; whatever has not stopped after `SHUTDOWN_GRACE_SECONDS` is cancelled, and if
    /// even that does not end it, `ShutdownWatchdog` ends the process.
    public static func run<Settings: Sendable, App: ApplicationProtocol>(
        service: String,
        settings readSettings: @Sendable () throws -> Settings,
        configuration: @Sendable (Settings) -> ServiceConfiguration,
        build: @Sendable (Settings, ServiceMetrics, Logger) async throws -> App
    ) async throws {
        installEventLoopsAsGlobalExecutor()
        let settings: Settings
        do {
            settings = try readSettings()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("\(service): \(error.description)\n".utf8))
            exit(78)
        }
        let common = configuration(settings)
        bootstrapLogging(service: service, level: common.logLevel)
        let metrics = ServiceMetrics()
        metrics.bootstrapGlobally()
        let logger = Logger(label: service)
        let app = try await build(settings, metrics, logger)
        var group = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: ShutdownWatchdog(grace: common.shutdownGrace, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // Graceful first; then cancellation; the watchdog ends the process soon after.
        group.maximumGracefulShutdownDuration = common.shutdownGrace
        group.maximumCancellationDuration = ShutdownWatchdog.cancellationAllowance * 4
        try await ServiceGroup(configuration: group).run()
    }

    /// With `NIO_GLOBAL_EXECUTOR=1`, runs Swift concurrency's tasks on NIO's event loops instead
    /// of the global executor's own threads: a handler then continues on an event loop, without
    /// a thread hop at each `await`. Off by default: measured with `scripts/bench` (three runs
    /// each way, docs/BENCHMARKS.md), it gave `GET /api/v1/me` +35 % and introspection +25 %,
    /// but the database path became bimodal (the job by id at 2 500 or 5 500 a second, p99 up to
    /// 58 ms from 20) as the work piled onto one of the two loops. It must come first, before
    /// any task runs elsewhere; nothing here blocks a thread for long (passwords are checked on
    /// their own pool, logs written by their own thread).
    public static func installEventLoopsAsGlobalExecutor() {
        guard ProcessInfo.processInfo.environment["NIO_GLOBAL_EXECUTOR"] == "1" else { return }
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Sends every log line of the process to standard error as one JSON object.
    public static func bootstrapLogging(service: String, level: Logger.Level) {
        LoggingSystem.bootstrap { _ in
            var handler = JSONLogHandler(label: service)
            handler.logLevel = level
            return handler
        }
    }

    /// A router with request ids, metrics and access logs, the error shape, one spelling per
    /// path (another is 404), API-key
    /// authentication of `/api/` (when `verifier` is given), the body limit and `/healthz`,
    /// `/readyz`, `/metrics` (and `GET /api/v1/me` with authentication). Outermost first: the request id is set before anything logs, every
    /// error is rendered before metrics read its status, and a key is checked (401) before
    /// anything about the request itself (413, 400, 404).
    public static func makeRouter(
        postgres: PostgresClient, metrics: ServiceMetrics, authentication: Authentication? = nil
    ) -> Router<AppRequestContext> {
        // HEAD on every GET route: the GET's status and headers, no body (RFC 9110 §9.3.2).
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: NoSniffMiddleware())
        router.add(middleware: RequestIdMiddleware())
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: PathSpellingMiddleware())
        if let authentication {
            router.add(middleware: APIKeyAuthMiddleware(verifier: authentication.verifier, limiter: authentication.limiter))
        }
        router.add(middleware: BodyLimitMiddleware())
        HealthController(postgres: postgres, metrics: metrics).addRoutes(to: router)
        if authentication != nil { MeRoute.add(to: router) }
        return router
    }

    /// How a resource service verifies keys and limits their requests.
    public struct Authentication: Sendable {
        /// The introspection client and its cache.
        public let verifier: KeyVerifier
        /// The watcher of the revocation log that keeps the cache honest: run it as a service.
        public let revocations: RevocationWatcher
        /// Per-key rate limits, leased from the key service.
        public let limiter: RateLimiter
    }

    /// The verification cache, the revocation watcher and the rate limiter in front of `clients`,
    /// with the cache settings of `auth`.
    public static func makeAuthentication(_ clients: KeyServiceClients, auth: AuthConfiguration, metrics: ServiceMetrics, logger: Logger)
        -> Authentication
    {
        let verifier = KeyVerifier(
            introspector: clients.introspector, ttl: auth.cacheTTL, maxEntries: auth.cacheMaxEntries,
            maxInactiveEntries: auth.negativeCacheMaxEntries, metrics: metrics
        )
        let watcher = RevocationWatcher(verifier: verifier, source: clients.revocations, metrics: metrics, logger: logger)
        let limiter = RateLimiter(leaser: clients.leaser, metrics: metrics, leaseWait: auth.leaseWait, logger: logger)
        return Authentication(verifier: verifier, revocations: watcher, limiter: limiter)
    }

    /// Kept answers for `Idempotency-Key` retries in the service's database, and the janitor
    /// that forgets them after the retention: give the store to `ScopedRoutes`, run the janitor.
    public static func makeIdempotency(postgres: PostgresClient, configuration: ServiceConfiguration, logger: Logger) -> (
        IdempotencyStore, PeriodicJob
    ) {
        let store = IdempotencyStore(client: postgres, retention: configuration.idempotencyRetention, logger: logger)
        let janitor = PeriodicJob(
            every: min(configuration.idempotencyRetention, .seconds(300)), done: "forgot expired idempotency answers",
            failed: "could not forget expired idempotency answers", logger: store.logger, work: store.purge)
        return (store, janitor)
    }

    /// The database pool for `configuration`, of `poolSize` connections (default: its own setting).
    public static func makePostgresClient(configuration: ServiceConfiguration, poolSize: Int? = nil, logger: Logger) throws -> PostgresClient {
        let postgresConfiguration = try DatabaseURL.configuration(
            from: configuration.databaseURL, poolSize: poolSize ?? configuration.databasePoolSize)
        return PostgresClient(configuration: postgresConfiguration, backgroundLogger: logger)
    }

    /// The application: the pool runs first and stops last; migrations run before the server
    /// listens; SIGTERM and SIGINT drain in-flight requests, then stop the services in reverse.
    public static func makeApplication(
        name: String,
        configuration: ServiceConfiguration,
        router: Router<AppRequestContext>,
        postgres: PostgresClient,
        migrations: [Migration],
        services: [any Service] = [],
        logger: Logger
    ) -> some ApplicationProtocol {
        router.addMethodNotAllowedRoutes()
        var app = Application(
            router: DeadlineResponderBuilder(router),
            server: .http1OnConnectionLoop(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: name),
            services: [postgres] + services,
            logger: logger
        )
        app.beforeServerStarts {
            try await MigrationRunner(client: postgres, migrations: migrations, logger: logger).migrate()
            logger.info("listening", metadata: ["address": "http://\(configuration.host):\(configuration.port)"])
        }
        return app
    }
}
