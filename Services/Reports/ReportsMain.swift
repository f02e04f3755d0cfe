import Hummingbird
import Shared

/// `reports`: serves reports until SIGTERM or SIGINT.
@main
struct ReportsMain {
    static func main() async throws {
        try await ServiceRuntime.run(
            service: "reports", settings: { try ReportsSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in
                try buildApplication(settings: settings, keyService: .http(settings.auth, logger: logger), metrics: metrics, logger: logger)
            }
        )
    }
}
