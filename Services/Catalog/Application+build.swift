import Hummingbird
import Logging
import PostgresNIO
import Shared

/// What the catalog talks to: the key service, the interviews service's facts, and the webhooks
/// service's event intake. `main` makes the HTTP ones from settings; tests pass fakes.
struct CatalogDependencies: Sendable {
    var keyService: KeyServiceClients
    var interviews: any InterviewsFactsSource
    var webhooks: any OutboxDestination

    /// The real services, at the addresses and with the credentials of `settings`.
    static func http(_ settings: CatalogSettings, logger: Logger) -> CatalogDependencies {
        CatalogDependencies(
            keyService: .http(settings.auth, logger: logger),
            interviews: HTTPInterviewsFacts(
                client: InternalServiceClient(
                    baseURL: settings.interviewsURL, clientId: settings.interviewsClientId, clientSecret: settings.interviewsClientSecret,
                    timeout: settings.interviewsTimeout
                )
            ),
            webhooks: settings.outbox.webhooks
        )
    }
}

/// The catalog: jobs, candidates, campaigns, stages and campaign membership behind API keys.
func buildApplication(settings: CatalogSettings, dependencies: CatalogDependencies, metrics: ServiceMetrics, logger: Logger) throws
    -> some ApplicationProtocol
{
    let keyService = dependencies.keyService
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let authentication = ServiceRuntime.makeAuthentication(keyService, auth: settings.auth, metrics: metrics, logger: logger)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authentication)
    let (idempotency, janitor) = ServiceRuntime.makeIdempotency(postgres: postgres, configuration: settings.service, logger: logger)
    buildRoutes(ScopedRoutes(router: router, idempotency: idempotency), postgres: postgres, interviews: dependencies.interviews, logger: logger)
    FactsController(postgres: postgres, logger: logger).addRoutes(to: router.internalRoutes(callers: settings.internalCallers))
    return ServiceRuntime.makeApplication(
        name: "catalog", configuration: settings.service, router: router, postgres: postgres,
        migrations: CatalogMigrations.all,
        services: [
            authentication.revocations, janitor,
            OutboxRelay(
                postgres: postgres, destinations: [dependencies.webhooks], pollInterval: settings.outbox.pollInterval, metrics: metrics,
                logger: logger),
        ], logger: logger
    )
}

/// Declares every public route of the catalog with the scope it needs.
@discardableResult
func buildRoutes(_ routes: ScopedRoutes, postgres: PostgresClient, interviews: any InterviewsFactsSource, logger: Logger) -> ScopedRoutes {
    let jobs = JobRepository(client: postgres, logger: logger)
    let candidates = CandidateRepository(client: postgres, logger: logger)
    let campaigns = CampaignRepository(client: postgres, logger: logger)
    let stages = StageRepository(client: postgres, logger: logger)
    let memberships = MembershipRepository(client: postgres, logger: logger)
    JobController(jobs: jobs).addRoutes(to: routes)
    CandidateController(candidates: candidates).addRoutes(to: routes)
    CampaignController(campaigns: campaigns, stages: stages, interviews: interviews).addRoutes(to: routes)
    StageController(stages: stages, interviews: interviews).addRoutes(to: routes)
    MembershipController(memberships: memberships, campaigns: campaigns, stages: stages).addRoutes(to: routes)
    return routes
}
