import ArgumentParser
import Hummingbird
import Logging
import Shared

/// `key-service` serves the key service; `create-admin` sets up an organization, `set-plan` its plan.
@main
struct KeyServiceMain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key-service",
        abstract: "Evalyo key service: organizations, console, API keys and introspection.",
        subcommands: [Serve.self, CreateAdmin.self, SetPlan.self, LedgerLoad.self],
        defaultSubcommand: Serve.self
    )
}

/// Runs the HTTP service until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the key service (settings come from the environment).")

    func run() async throws {
        try await ServiceRuntime.run(
            service: "key-service", settings: { try KeyServiceSettings(environment: Environment()) }, configuration: \.service,
            build: { settings, metrics, logger in try await buildApplication(settings: settings, metrics: metrics, logger: logger) }
        )
    }
}
