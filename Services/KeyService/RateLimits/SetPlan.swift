import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `key-service set-plan --org <name> --plan <plan> [--per-second N] [--per-minute N]`: sets an
/// organization's plan, and an Enterprise organization's custom limits (none given: no limits).
struct SetPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-plan",
        abstract: "Set an organization's plan and so its keys' rate limits (reads DATABASE_URL).",
        discussion: """
            Plans: starter (10 requests per second, 500 per minute), pro (50/2000), business (100/5000), \
            enterprise (only the limits given with --per-second and --per-minute; none given, no limit). \
            Keys already verified keep their old limits for at most AUTH_CACHE_TTL seconds. Exits 4 if no \
            organization has that name.
            """
    )

    /// Exit status when the organization does not exist.
    static let notFound = ExitCode(4)

    @Option(help: "Name of the organization.") var org: String
    @Option(help: "starter, pro, business or enterprise.") var plan: String
    @Option(help: "Enterprise only: requests per second for each key.") var perSecond: Int?
    @Option(help: "Enterprise only: requests per minute for each key.") var perMinute: Int?

    /// The plan the operator named.
    var chosenPlan: Plan? { Plan(rawValue: plan.uppercased()) }

    func validate() throws {
        guard let chosenPlan else { throw ValidationError("--plan must be starter, pro, business or enterprise") }
        if chosenPlan != .ENTERPRISE, perSecond != nil || perMinute != nil {
            throw ValidationError("--per-second and --per-minute are for the enterprise plan only; \(plan) has published limits")
        }
        for (name, value) in [("--per-second", perSecond), ("--per-minute", perMinute)] {
            if let value, !(1...1_000_000).contains(value) { throw ValidationError("\(name) must be from 1 to 1000000") }
        }
    }

    func run() async throws {
        let settings = try KeyServiceSettings(environment: Environment(), serving: false)
        var logger = Logger(label: "key-service")
        logger.logLevel = .error
        let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
        let plan = chosenPlan!
        let org = self.org.trimmingCharacters(in: .whitespaces)
        let (perSecond, perMinute) = (self.perSecond, self.perMinute)
        let updated: Bool = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(client: postgres, migrations: KeyServiceMigrations.all, logger: logger).migrate()
            let rows = try await postgres.query(
                """
                UPDATE organizations SET plan = \(plan.rawValue), rate_per_second = \(perSecond), rate_per_minute = \(perMinute)
                WHERE lower(name) = lower(\(org)) RETURNING id
                """,
                logger: logger
            )
            for try await _ in rows.decode(UUID.self) { return true }
            return false
        }
        guard updated else {
            FileHandle.standardError.write(Data("key-service set-plan: no organization is named \"\(org)\"\n".utf8))
            throw Self.notFound
        }
        let limits =
            plan.standardLimits.map { "\($0.perSecond) requests per second, \($0.perMinute) per minute" }
            ?? [perSecond.map { "\($0) requests per second" }, perMinute.map { "\($0) per minute" }].compactMap { $0 }.joined(separator: ", ")
        print("Organization \"\(org)\" is on the \(plan.rawValue.lowercased()) plan: \(limits.isEmpty ? "no rate limit" : limits).")
    }
}
