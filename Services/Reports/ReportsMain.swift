import ArgumentParser
import Hummingbird
import Shared

/// `reports` serves reports; `reports outbox` shows and redelivers the webhook events the
/// webhooks service refused.
@main
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Evalyo reports service: reports of completed interviews and tests.",
        subcommands: [Serve.self, OutboxCommand<ReportsOutbox>.self],
        defaultSubcommand: Serve.self
    )
}

/// Runs the HTTP service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the reports service (settings come from the environment).")

    func run() async throws {
        try await ServiceRuntime.run(
            service: "reports", settings: { try ReportsSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in
                try buildApplication(
                    settings: settings, keyService: .http(settings.auth, logger: logger), webhooks: settings.outbox.webhooks, metrics: metrics,
                    logger: logger)
            }
        )
    }
}

/// What `reports outbox` reads: the reports service's database and schema.
enum ReportsOutbox: OutboxOwner {
    static let service = "reports"
    static let defaultPort = 8084
    static let defaultDatabase = "evalyo_reports"
    static var migrations: [Migration] { ReportsMigrations.all }
}
