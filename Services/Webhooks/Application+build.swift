import Hummingbird
import Logging
import PostgresNIO
import Shared

/// The webhooks service. This first part has its schema, health and metrics; endpoints,
/// the events' intake and delivery come next (issue "Webhooks").
func buildApplication(settings: WebhooksSettings, metrics: ServiceMetrics, logger: Logger) throws -> some ApplicationProtocol {
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics)
    return ServiceRuntime.makeApplication(
        name: "webhooks", configuration: settings.service, router: router, postgres: postgres, migrations: WebhooksMigrations.all, logger: logger
    )
}
