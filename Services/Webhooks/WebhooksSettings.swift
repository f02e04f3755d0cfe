import Hummingbird
import NIOSSL
import Shared

/// The webhooks service's settings: the common ones, key verification, who may hand over
/// events, the key that seals signing secrets, where webhooks may go and when they are retried
/// (docs/design/webhooks.md).
struct WebhooksSettings: Sendable {
    var service: ServiceConfiguration
    var auth: AuthConfiguration
    /// Who may call `/internal/events` (`INTERNAL_CLIENTS`): the services where events happen.
    var internalCallers: InternalCallers
    /// Who may manage endpoints for the console's people (`CONSOLE_CLIENTS`): the key service,
    /// which checks their session and role; nobody who may only hand events over.
    var consoleCallers: InternalCallers
    /// Seals endpoints' signing secrets at rest (`WEBHOOK_SECRETS_KEY`).
    var secrets: SecretBox
    var destinations: DestinationPolicy
    var schedule: DeliverySchedule
    var limits: DeliveryDispatcher.Limits
    /// `WEBHOOK_CA_FILE`: certificate authorities (PEM) trusted besides the system's, for receivers
    /// inside an allowed network that use the operator's own authority.
    var additionalAuthorities: String?

    static let secretsVariable = "WEBHOOK_SECRETS_KEY"

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8085, defaultDatabase: "evalyo_webhooks")
        auth = try AuthConfiguration(environment: environment, serviceName: "webhooks")
        internalCallers = try InternalCallers(environment: environment)
        consoleCallers = try InternalCallers(environment: environment, variable: "CONSOLE_CLIENTS")
        secrets = try SecretBox(
            environment: environment, variable: Self.secretsVariable, purpose: "evalyo webhook signing secrets v1",
            why: "it encrypts webhook endpoints' signing secrets at rest; scripts/make-env writes one")
        destinations = try DestinationPolicy(environment: environment)
        schedule = try DeliverySchedule(environment: environment)
        if let file = environment.get("WEBHOOK_CA_FILE"), !file.isEmpty {
            guard (try? NIOSSLCertificate.fromPEMFile(file))?.isEmpty == false else {
                throw ConfigurationError("WEBHOOK_CA_FILE must name a readable PEM file of certificate authorities")
            }
            additionalAuthorities = file
        }
        limits = DeliveryDispatcher.Limits(
            total: try environment.integer("WEBHOOK_CONCURRENCY", default: 256, in: 1...10_000),
            perEndpoint: try environment.integer("WEBHOOK_ENDPOINT_CONCURRENCY", default: 16, in: 1...1000),
            perOrganization: try environment.integer("WEBHOOK_ORGANIZATION_CONCURRENCY", default: 64, in: 1...10_000),
            pollInterval: .milliseconds(try environment.integer("WEBHOOK_POLL_MS", default: 250, in: 10...10_000)))
    }
}
