import Hummingbird
import Logging
import PostgresNIO
import Shared

/// The webhooks service: endpoints behind API keys, events handed over by the other services,
/// and the dispatcher that delivers them (docs/design/webhooks.md). `keyService` is how keys are
/// verified and limited: over HTTP in `main`, in-process fakes in tests.
func buildApplication(settings: WebhooksSettings, keyService: KeyServiceClients, metrics: ServiceMetrics, logger: Logger) throws
    -> some ApplicationProtocol
{
    let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
    let authentication = ServiceRuntime.makeAuthentication(keyService, auth: settings.auth, metrics: metrics, logger: logger)
    let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authentication)
    let (idempotency, janitor) = ServiceRuntime.makeIdempotency(postgres: postgres, configuration: settings.service, logger: logger)
    let endpoints = EndpointRepository(client: postgres, box: settings.secrets, logger: logger)
    let queue = MessageQueue(client: postgres, schedule: settings.schedule, logger: logger)
    let doorbell = Doorbell()
    let pinned = PinnedSender(additionalAuthorities: settings.additionalAuthorities)
    let controller = EndpointController(endpoints: endpoints, queue: queue, destinations: settings.destinations, doorbell: doorbell)
    controller.addRoutes(to: ScopedRoutes(router: router, idempotency: idempotency))
    controller.addRoutes(to: OrganizationCallRoutes(router: router, callers: settings.consoleCallers))
    EventIntakeController(queue: queue, doorbell: doorbell).addRoutes(to: router.internalRoutes(callers: settings.internalCallers))
    let recorder = AttemptRecorder(queue: queue, logger: logger)
    let dispatcher = DeliveryDispatcher(
        queue: queue, endpoints: endpoints, sender: WebhookSender(destinations: settings.destinations, pinned: pinned), recorder: recorder,
        doorbell: doorbell, limits: settings.limits, metrics: metrics, logger: logger)
    return ServiceRuntime.makeApplication(
        name: "webhooks", configuration: settings.service, router: router, postgres: postgres, migrations: WebhooksMigrations.all,
        // Stopped in reverse: the dispatcher's attempts end, then their records are written, then the senders close.
        services: [
            authentication.revocations, janitor, pinned, recorder, dispatcher,
            PeriodicJob(
                every: .seconds(600), done: "forgot webhook messages past their retention", failed: "could not forget old webhook messages",
                logger: logger, work: { try await queue.purge(retention: MessageQueue.retention) }),
        ],
        logger: logger
    )
}
