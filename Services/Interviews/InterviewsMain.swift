import Hummingbird
import Shared

/// `interviews`: serves agents, tests and interviews until SIGTERM or SIGINT.
@main
struct InterviewsMain {
    static func main() async throws {
        try await ServiceRuntime.run(
            service: "interviews", settings: { try InterviewsSettings(environment: Environment()) }, logLevel: \.service.logLevel,
            build: { settings, metrics, logger in
                try buildApplication(settings: settings, dependencies: .http(settings, logger: logger), metrics: metrics, logger: logger)
            }
        )
    }
}
