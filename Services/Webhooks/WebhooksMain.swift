import Hummingbird
import Shared

/// `webhooks`: calls integrations' endpoints with the platform's events, until SIGTERM or SIGINT.
@main
struct WebhooksMain {
    static func main() async throws {
        try await ServiceRuntime.run(
            service: "webhooks", settings: { try WebhooksSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in
                try buildApplication(settings: settings, keyService: .http(settings.auth, logger: logger), metrics: metrics, logger: logger)
            }
        )
    }
}
