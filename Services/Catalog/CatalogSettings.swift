import Hummingbird
import Shared

/// The catalog's settings: the common ones and how it verifies API keys.
struct CatalogSettings: Sendable {
    var service: ServiceConfiguration
    var auth: AuthConfiguration

    init(environment: Environment) throws {
        service = try ServiceConfiguration(environment: environment, defaultPort: 8082, defaultDatabase: "evalyo_catalog")
        auth = try AuthConfiguration(environment: environment, serviceName: "catalog")
    }
}
