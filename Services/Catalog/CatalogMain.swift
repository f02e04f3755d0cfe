import Hummingbird
import Shared

/// `catalog`: serves jobs, candidates, campaigns and stages until SIGTERM or SIGINT.
@main
struct CatalogMain {
    static func main() async throws {
        try await ServiceRuntime.run(
            service: "catalog", settings: { try CatalogSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in
                try buildApplication(settings: settings, dependencies: .http(settings, logger: logger), metrics: metrics, logger: logger)
            }
        )
    }
}
