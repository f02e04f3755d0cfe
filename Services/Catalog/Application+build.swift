import Hummingbird
import Logging
import PostgresNIO
import Shared

/// The catalog: jobs, candidates, campaigns, stages and campaign membership behind API keys.
/// `keyService` is how keys are verified and limited: over HTTP in `main`, in-process fakes in tests.
func buildApplication(settings: CatalogSettings, keyService: KeyServiceClients, metrics: ServiceMetrics, logger: Logger) throws -> some ApplicationProtocol {
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let authentication = ServiceRuntime.makeAuthentication(keyService, auth: settings.auth, metrics: metrics, logger: logger)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authentication)
    let (idempotency, janitor) = ServiceRuntime.makeIdempotency(postgres: postgres, configuration: settings.service, logger: logger)
    buildRoutes(ScopedRoutes(router: router, idempotency: idempotency), postgres: postgres, logger: logger)
    FactsController(postgres: postgres, logger: logger).addRoutes(to: router.internalRoutes(callers: settings.internalCallers))
    return ServiceRuntime.makeApplication(
        name: "catalog", configuration: settings.service, router: router, postgres: postgres,
        migrations: CatalogMigrations.all, services: [authentication.revocations, janitor], logger: logger
    )
}

/// Declares every public route of the catalog with the scope it needs.
@discardableResult
func buildRoutes(_ routes: ScopedRoutes, postgres: PostgresClient, logger: Logger) -> ScopedRoutes {
    let jobs = JobRepository(client: postgres, logger: logger)
    let candidates = CandidateRepository(client: postgres, logger: logger)
    let campaigns = CampaignRepository(client: postgres, logger: logger)
    let stages = StageRepository(client: postgres, logger: logger)
    let memberships = MembershipRepository(client: postgres, logger: logger)
    JobController(jobs: jobs).addRoutes(to: routes)
    CandidateController(candidates: candidates).addRoutes(to: routes)
    CampaignController(campaigns: campaigns, stages: stages).addRoutes(to: routes)
    StageController(stages: stages).addRoutes(to: routes)
    MembershipController(memberships: memberships, campaigns: campaigns, stages: stages).addRoutes(to: routes)
    return routes
}
