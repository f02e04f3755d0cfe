import Hummingbird
import Shared

/// The interviews service's settings: the common ones, key verification, the agent runtime's
/// credentials and how to reach the catalog.
struct InterviewsSettings: Sendable {
    var service: ServiceConfiguration
    var auth: AuthConfiguration
    /// Who may call `/internal/` here (`INTERNAL_CLIENTS`): the agent runtime.
    var internalCallers: InternalCallers
    /// Who may ask `/internal/facts` (`FACTS_CLIENTS`): the catalog, and nothing else with it.
    var factsCallers: InternalCallers
    /// `CATALOG_URL`, default the local catalog.
    var catalogURL: String
    /// `CATALOG_CLIENT_ID` / `CATALOG_CLIENT_SECRET`: this service's entry in the catalog's `INTERNAL_CLIENTS`.
    var catalogClientId: String
    var catalogClientSecret: String
    /// `CATALOG_TIMEOUT_MS`, default 2000.
    var catalogTimeout: Duration
    /// `REPORTS_URL`, default the local reports service: where completion events are delivered.
    var reportsURL: String
    /// `REPORTS_CLIENT_ID` / `REPORTS_CLIENT_SECRET`: this service's entry in the reports service's `INTERNAL_CLIENTS`.
    var reportsClientId: String
    var reportsClientSecret: String
    /// The relay's pace and where webhook events go (`WEBHOOKS_URL`, `WEBHOOKS_CLIENT_SECRET`).
    var outbox: OutboxSettings

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8083, defaultDatabase: "evalyo_interviews")
        auth = try AuthConfiguration(environment: environment, serviceName: "interviews")
        internalCallers = try InternalCallers(environment: environment)
        factsCallers = try InternalCallers(environment: environment, variable: "FACTS_CLIENTS")
        catalogURL = environment.get("CATALOG_URL") ?? "http://127.0.0.1:8082"
        catalogClientId = environment.get("CATALOG_CLIENT_ID") ?? "interviews"
        catalogClientSecret = try environment.secret("CATALOG_CLIENT_SECRET", purpose: "this service's secret for the catalog's internal endpoints")
        catalogTimeout = .milliseconds(try environment.integer("CATALOG_TIMEOUT_MS", default: 2000, in: 50...30000))
        reportsURL = environment.get("REPORTS_URL") ?? "http://127.0.0.1:8084"
        reportsClientId = environment.get("REPORTS_CLIENT_ID") ?? "interviews"
        reportsClientSecret = try environment.secret(
            "REPORTS_CLIENT_SECRET", purpose: "this service's secret for delivering events to the reports service")
        outbox = try OutboxSettings(environment: environment, service: "interviews")
    }
}
