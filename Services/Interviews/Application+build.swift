import Hummingbird
import Logging
import PostgresNIO
import Shared

/// What the interviews service talks to: the key service, the catalog's facts, and the event
/// intakes of the reports and webhooks services. `main` makes the HTTP ones from settings; tests pass fakes.
struct InterviewsDependencies: Sendable {
    var keyService: KeyServiceClients
    var catalog: any CatalogFactsSource
    var reports: any OutboxDestination
    var webhooks: any OutboxDestination

    /// The real services, at the addresses and with the credentials of `settings`.
    static func http(_ settings: InterviewsSettings, logger: Logger) -> InterviewsDependencies {
        InterviewsDependencies(
            keyService: .http(settings.auth, logger: logger),
            catalog: HTTPCatalogFacts(
                client: InternalServiceClient(
                    baseURL: settings.catalogURL, clientId: settings.catalogClientId, clientSecret: settings.catalogClientSecret,
                    timeout: settings.catalogTimeout
                )
            ),
            reports: InternalEventsDestination(
                name: Outbox.reports,
                client: InternalServiceClient(
                    baseURL: settings.reportsURL, clientId: settings.reportsClientId, clientSecret: settings.reportsClientSecret, timeout: .seconds(5)
                )
            ),
            webhooks: settings.outbox.webhooks
        )
    }
}

/// The interviews service: agents, tests and assignments, interviews, and the agent runtime's
/// internal endpoints.
func buildApplication(settings: InterviewsSettings, dependencies: InterviewsDependencies, metrics: ServiceMetrics, logger: Logger) throws
    -> some ApplicationProtocol
{
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let authentication = ServiceRuntime.makeAuthentication(dependencies.keyService, auth: settings.auth, metrics: metrics, logger: logger)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authentication)
    let (idempotency, janitor) = ServiceRuntime.makeIdempotency(postgres: postgres, configuration: settings.service, logger: logger)
    buildRoutes(ScopedRoutes(router: router, idempotency: idempotency), postgres: postgres, catalog: dependencies.catalog, logger: logger)
    RuntimeController(
        interviews: InterviewRepository(client: postgres, logger: logger), tests: CandidateTestRepository(client: postgres, logger: logger)
    ).addRoutes(to: router.internalRoutes(callers: settings.internalCallers))
    FactsController(postgres: postgres, logger: logger).addRoutes(to: router.internalRoutes(callers: settings.factsCallers))
    let relay = OutboxRelay(
        postgres: postgres, destinations: [dependencies.reports, dependencies.webhooks], pollInterval: settings.outbox.pollInterval, metrics: metrics,
        logger: logger)
    return ServiceRuntime.makeApplication(
        name: "interviews", configuration: settings.service, router: router, postgres: postgres,
        migrations: InterviewsMigrations.all, services: [authentication.revocations, relay, janitor], logger: logger
    )
}

/// Declares every public route of the interviews service with the scope it needs.
@discardableResult
func buildRoutes(_ routes: ScopedRoutes, postgres: PostgresClient, catalog: any CatalogFactsSource, logger: Logger) -> ScopedRoutes {
    let agents = AgentRepository(client: postgres, logger: logger)
    let tests = CandidateTestRepository(client: postgres, logger: logger)
    let interviews = InterviewRepository(client: postgres, logger: logger)
    AgentController(agents: agents, catalog: catalog).addRoutes(to: routes)
    CandidateTestController(tests: tests, catalog: catalog).addRoutes(to: routes)
    InterviewController(interviews: interviews, agents: agents, catalog: catalog).addRoutes(to: routes)
    return routes
}
