import Foundation
import Hummingbird
import Logging
import Shared

/// `catalog`: serves jobs, candidates, campaigns and stages until SIGTERM or SIGINT.
@main
struct CatalogMain {
    static func main() async throws {
        let settings: CatalogSettings
        do {
            settings = try CatalogSettings(environment: Environment())
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("catalog: \(error.description)\n".utf8))
            exit(78)
        }
        ServiceRuntime.bootstrapLogging(service: "catalog", level: settings.service.logLevel)
        let metrics = ServiceMetrics()
        metrics.bootstrapGlobally()
        let app = try buildApplication(settings: settings, metrics: metrics, logger: Logger(label: "catalog"))
        try await app.runService()
    }
}
