import Foundation
import Hummingbird
import Logging
import Shared

/// `interviews`: serves agents, tests and interviews until SIGTERM or SIGINT.
@main
struct InterviewsMain {
    static func main() async throws {
        let settings: InterviewsSettings
        do {
            settings = try InterviewsSettings(environment: Environment())
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("interviews: \(error.description)\n".utf8))
            exit(78)
        }
        ServiceRuntime.bootstrapLogging(service: "interviews", level: settings.service.logLevel)
        let metrics = ServiceMetrics()
        metrics.bootstrapGlobally()
        let app = try buildApplication(settings: settings, metrics: metrics, logger: Logger(label: "interviews"))
        try await app.runService()
    }
}
