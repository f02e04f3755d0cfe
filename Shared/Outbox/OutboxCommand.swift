import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// A service with an outbox, for its operator's command.
public protocol OutboxOwner {
    /// The executable's name (`interviews`).
    static var service: String { get }
    /// Its default port and database, as `ServiceConfiguration` takes them.
    static var defaultPort: Int { get }
    static var defaultDatabase: String { get }
    /// Its schema: the command migrates before it reads.
    static var migrations: [Migration] { get }
}

/// `<service> outbox list|redeliver`: the operator's view of parked events (reads DATABASE_URL).
public struct OutboxCommand<Owner: OutboxOwner>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "outbox",
            abstract: "List the events a destination refused for good, and deliver them again.",
            subcommands: [List.self, Redeliver.self]
        )
    }

    public init() {}

    /// Runs `body` with a database client of `DATABASE_URL`, migrations applied.
    static func withDeadLetters<T: Sendable>(_ body: @escaping @Sendable (OutboxDeadLetters) async throws -> T) async throws -> T {
        let configuration = try ServiceConfiguration(
            environment: Environment(), defaultPort: Owner.defaultPort, defaultDatabase: Owner.defaultDatabase)
        var logger = Logger(label: Owner.service)
        logger.logLevel = .error
        let postgres = try ServiceRuntime.makePostgresClient(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(client: postgres, migrations: Owner.migrations, logger: logger).migrate()
            return try await body(OutboxDeadLetters(client: postgres, logger: logger))
        }
    }

    public struct List: AsyncParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(abstract: "Print every parked event, oldest first (--json: one JSON array).")
        }

        @Flag(help: "Print JSON instead of a table.") var json = false

        public init() {}

        public func run() async throws {
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
            func column(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
            print("EVENT ID                              DESTINATION  TYPE                      ATTEMPTS  BYTES     PARKED AT             REASON")
            for event in parked {
                print(
                    [
                        event.eventId, column(event.destination, 12), column(event.type, 25), column(String(event.attempts), 9),
                        column(String(event.bytes), 9), ISO8601DateFormatter().string(from: event.parkedAt), event.reason,
                    ].joined(separator: " "))
            }
        }
    }

    public struct Redeliver: AsyncParsableCommand {
        public static var configuration: CommandConfiguration {
            CommandConfiguration(
                abstract: "Move parked events back to the outbox; a running relay delivers them within a second.",
                discussion: "Give event ids, or --all. Exits 4 if none of the given ids is parked."
            )
        }

        @Argument(help: "Ids of parked events.") var ids: [String] = []
        @Flag(help: "Every parked event.") var all = false

        public init() {}

        public func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("give event ids or --all, not both") }
            for id in ids where UUID(uuidString: id) == nil { throw ValidationError("\(id) is not an event id") }
        }

        public func run() async throws {
            let chosen = all ? nil : ids.compactMap(UUID.init(uuidString:))
            let moved = try await OutboxCommand.withDeadLetters { try await $0.redeliver(ids: chosen) }
            print(
                "Redelivering \(moved.count) event\(moved.count == 1 ? "" : "s")"
                    + (moved.isEmpty ? "." : ": " + moved.map(\.apiString).joined(separator: ", ")))
            if moved.isEmpty && !all { throw ExitCode(4) }
        }
    }
}
