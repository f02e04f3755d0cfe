import Hummingbird
import Logging
import PostgresNIO
import Shared

/// The reports service: read-only reports behind API keys, written from delivered events, each
/// announced to the webhooks service. `keyService` is how keys are verified and limited, and
/// `webhooks` where its outbox goes: over HTTP in `main`, in-process fakes in tests.
func buildApplication(
    settings: ReportsSettings, keyService: KeyServiceClients, webhooks: any OutboxDestination, metrics: ServiceMetrics, logger: Logger
) throws -> some ApplicationProtocol {
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let authentication = ServiceRuntime.makeAuthentication(keyService, auth: settings.auth, metrics: metrics, logger: logger)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authentication)
    let reports = ReportRepository(client: postgres, logger: logger)
    buildRoutes(ScopedRoutes(router: router), reports: reports)
    EventIngestController(reports: reports).addRoutes(to: router.internalRoutes(callers: settings.internalCallers))
    return ServiceRuntime.makeApplication(
        name: "reports", configuration: settings.service, router: router, postgres: postgres, migrations: ReportsMigrations.all,
        services: [
            authentication.revocations,
            OutboxRelay(postgres: postgres, destinations: [webhooks], pollInterval: settings.outbox.pollInterval, metrics: metrics, logger: logger),
        ], logger: logger
    )
}

/// Declares every public route of the reports service with the scope it needs.
@discardableResult
func buildRoutes(_ routes: ScopedRoutes, reports: ReportRepository) -> ScopedRoutes {
    ReportController(reports: reports).addRoutes(to: routes)
    return routes
}
