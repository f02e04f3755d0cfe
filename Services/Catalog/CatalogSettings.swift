import Hummingbird
import Shared

/// The catalog's settings: the common ones and how it verifies API keys.
struct CatalogSettings: Sendable {
    var service: ServiceConfiguration
    var auth: AuthConfiguration
    /// Who may ask `/internal/facts` (`INTERNAL_CLIENTS`): the interviews service.
    var internalCallers: InternalCallers

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8082, defaultDatabase: "evalyo_catalog")
        auth = try AuthConfiguration(environment: environment, serviceName: "catalog")
        internalCallers = try InternalCallers(environment: environment)
    }
}
