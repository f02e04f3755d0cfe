import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `interviews` serves agents, tests and interviews; `interviews outbox` shows and redelivers
/// the events the reports or webhooks service refused.
@main
struct InterviewsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interviews",
        abstract: "Evalyo interviews service: agents, tests and assignments, interviews.",
        subcommands: [Serve.self, OutboxCommand<InterviewsOutbox>.self],
        defaultSubcommand: Serve.self
    )
}

/// Runs the HTTP service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the interviews service (settings come from the environment).")

    func run() async throws {
        try await ServiceRuntime.run(
            service: "interviews", settings: { try InterviewsSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in
                try buildApplication(settings: settings, dependencies: .http(settings, logger: logger), metrics: metrics, logger: logger)
            }
        )
    }
}

/// What `interviews outbox` reads: the interviews service's database and schema.
enum InterviewsOutbox: OutboxOwner {
    static let service = "interviews"
    static let defaultPort = 8083
    static let defaultDatabase = "evalyo_interviews"
    static var migrations: [Migration] { InterviewsMigrations.all }
}
