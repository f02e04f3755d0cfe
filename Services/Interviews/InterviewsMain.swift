import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `interviews` serves agents, tests and interviews; `interviews outbox` shows and redelivers
/// the events the reports service refused.
@main
struct InterviewsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interviews",
        abstract: "Evalyo interviews service: agents, tests and assignments, interviews.",
        subcommands: [Serve.self, OutboxCommand.self],
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

/// `interviews outbox list|redeliver`: the operator's view of parked events (reads DATABASE_URL).
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List the completion events the reports service refused, and deliver them again.",
        subcommands: [List.self, Redeliver.self]
    )

    /// Runs `body` with a database client of `DATABASE_URL`, migrations applied.
    static func withDeadLetters<T: Sendable>(_ body: @escaping @Sendable (OutboxDeadLetters) async throws -> T) async throws -> T {
        let configuration = try ServiceConfiguration(environment: Environment(), defaultPort: 8083, defaultDatabase: "evalyo_interviews")
        var logger = Logger(label: "interviews")
        logger.logLevel = .error
        let postgres = try ServiceRuntime.makePostgresClient(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(client: postgres, migrations: InterviewsMigrations.all, logger: logger).migrate()
            return try await body(OutboxDeadLetters(client: postgres, logger: logger))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every parked event, oldest first (--json: one JSON array).")

        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() async throws {
            let parked = try await OutboxCommand.withDeadLetters { try await $0.list() }
            if json {
                let encoder = JSONEncoder()
                encoder.dateEncodingStrategy = .iso8601
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(parked), as: UTF8.self))
                return
            }
            guard !parked.isEmpty else {
                print("No parked events.")
                return
            }
            print("EVENT ID                              TYPE       ATTEMPTS  BYTES     PARKED AT             REASON")
            for event in parked {
                let when = ISO8601DateFormatter().string(from: event.parkedAt)
                print(
                    [
                        event.eventId, event.type.padding(toLength: 10, withPad: " ", startingAt: 0),
                        String(event.attempts).padding(toLength: 9, withPad: " ", startingAt: 0),
                        String(event.bytes).padding(toLength: 9, withPad: " ", startingAt: 0), when, event.reason,
                    ].joined(separator: " "))
            }
        }
    }

    struct Redeliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move parked events back to the outbox; a running relay delivers them within a second.",
            discussion: "Give event ids, or --all. Exits 4 if none of the given ids is parked."
        )

        @Argument(help: "Ids of parked events.") var ids: [String] = []
        @Flag(help: "Every parked event.") var all = false

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("give event ids or --all, not both") }
            for id in ids where UUID(uuidString: id) == nil { throw ValidationError("\(id) is not an event id") }
        }

        func run() async throws {
            let chosen = all ? nil : ids.compactMap(UUID.init(uuidString:))
            let moved = try await OutboxCommand.withDeadLetters { try await $0.redeliver(ids: chosen) }
            print(
                "Redelivering \(moved.count) event\(moved.count == 1 ? "" : "s")"
                    + (moved.isEmpty ? "." : ": " + moved.map(\.apiString).joined(separator: ", ")))
            if moved.isEmpty && !all { throw ExitCode(4) }
        }
    }
}
