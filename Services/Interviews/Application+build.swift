import Hummingbird
import Logging
import PostgresNIO
import Shared

/// The interviews service: agents, tests and assignments, interviews, and the agent runtime's
/// internal endpoints.
func buildApplication(settings: InterviewsSettings, metrics: ServiceMetrics, logger: Logger) throws -> some ApplicationProtocol {
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let authentication = ServiceRuntime.makeAuthentication(settings.auth, metrics: metrics, logger: logger)
    let catalog = CatalogFacts(
        client: InternalServiceClient(
            baseURL: settings.catalogURL, clientId: settings.catalogClientId, clientSecret: settings.catalogClientSecret,
            timeout: settings.catalogTimeout
        )
    )
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authentication)
    buildRoutes(ScopedRoutes(router: router), postgres: postgres, catalog: catalog, logger: logger)
    RuntimeController(
        clients: settings.internalClients, interviews: InterviewRepository(client: postgres, logger: logger),
        tests: AssessmentRepository(client: postgres, logger: logger)
    ).addRoutes(to: router)
    let relay = OutboxRelay(
        postgres: postgres,
        reports: InternalServiceClient(
            baseURL: settings.reportsURL, clientId: settings.reportsClientId, clientSecret: settings.reportsClientSecret, timeout: .seconds(5)
        ),
        pollInterval: settings.outboxPollInterval, logger: logger
    )
    return ServiceRuntime.makeApplication(
        name: "interviews", configuration: settings.service, router: router, postgres: postgres,
        migrations: InterviewsMigrations.all, services: [authentication.revocations, relay], logger: logger
    )
}

/// Declares every public route of the interviews service with the scope it needs.
@discardableResult
func buildRoutes(_ routes: ScopedRoutes, postgres: PostgresClient, catalog: CatalogFacts, logger: Logger) -> ScopedRoutes {
    let agents = AgentRepository(client: postgres, logger: logger)
    let tests = AssessmentRepository(client: postgres, logger: logger)
    let interviews = InterviewRepository(client: postgres, logger: logger)
    AgentController(agents: agents, catalog: catalog).addRoutes(to: routes)
    AssessmentController(tests: tests, catalog: catalog).addRoutes(to: routes)
    InterviewController(interviews: interviews, agents: agents, catalog: catalog).addRoutes(to: routes)
    return routes
}
