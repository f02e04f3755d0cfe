import Hummingbird
import Shared

/// The catalog's settings: the common ones and how it verifies API keys.
struct CatalogSettings: Sendable {
    var service: ServiceConfiguration
    var auth: AuthConfiguration
    /// Who may ask `/internal/facts` (`INTERNAL_CLIENTS`): the interviews service.
    var internalCallers: InternalCallers
    /// `INTERVIEWS_URL`, default the local interviews service: where agents and tests that a
    /// campaign or stage names are checked.
    var interviewsURL: String
    /// `INTERVIEWS_CLIENT_ID` / `INTERVIEWS_CLIENT_SECRET`: this service's entry in the interviews
    /// service's `FACTS_CLIENTS`.
    var interviewsClientId: String
    var interviewsClientSecret: String
    /// `INTERVIEWS_TIMEOUT_MS`, default 2000.
    var interviewsTimeout: Duration
    /// The outbox of `campaign.candidate_moved` webhook events: its relay's pace and the webhooks service.
    var outbox: OutboxSettings

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8082, defaultDatabase: "evalyo_catalog")
        auth = try AuthConfiguration(environment: environment, serviceName: "catalog")
        internalCallers = try InternalCallers(environment: environment)
        interviewsURL = environment.get("INTERVIEWS_URL") ?? "http://127.0.0.1:8083"
        interviewsClientId = environment.get("INTERVIEWS_CLIENT_ID") ?? "catalog"
        interviewsClientSecret = try environment.secret(
            "INTERVIEWS_CLIENT_SECRET", purpose: "this service's secret for the interviews service's internal endpoints"
        )
        interviewsTimeout = .milliseconds(try environment.integer("INTERVIEWS_TIMEOUT_MS", default: 2000, in: 50...30000))
        outbox = try OutboxSettings(environment: environment, service: "catalog")
    }
}
