import Hummingbird
import Shared

/// The reports service's settings: the common ones, key verification, and who may deliver events.
struct ReportsSettings: Sendable {
    var service: ServiceConfiguration
    var auth: AuthConfiguration
    /// Who may call `/internal/events` (`INTERNAL_CLIENTS`): the interviews service.
    var internalCallers: InternalCallers
    /// The outbox of `report.created` webhook events: its relay's pace and the webhooks service.
    var outbox: OutboxSettings

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8084, defaultDatabase: "evalyo_reports")
        auth = try AuthConfiguration(environment: environment, serviceName: "reports")
        internalCallers = try InternalCallers(environment: environment)
        outbox = try OutboxSettings(environment: environment, service: "reports")
    }
}
