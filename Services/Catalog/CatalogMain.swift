import ArgumentParser
import Hummingbird
import Shared

/// `catalog` serves jobs, candidates, campaigns and stages; `catalog outbox` shows and
/// redelivers the webhook events the webhooks service refused.
@main
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Evalyo catalog: jobs, candidates, campaigns, stages and campaign membership.",
        subcommands: [Serve.self, OutboxCommand<CatalogOutbox>.self],
        defaultSubcommand: Serve.self
    )
}

/// Runs the HTTP service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the catalog (settings come from the environment).")

    func run() async throws {
        try await ServiceRuntime.run(
            service: "catalog", settings: { try CatalogSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in
                try buildApplication(settings: settings, dependencies: .http(settings, logger: logger), metrics: metrics, logger: logger)
            }
        )
    }
}

/// What `catalog outbox` reads: the catalog's database and schema.
enum CatalogOutbox: OutboxOwner {
    static let service = "catalog"
    static let defaultPort = 8082
    static let defaultDatabase = "evalyo_catalog"
    static var migrations: [Migration] { CatalogMigrations.all }
}
