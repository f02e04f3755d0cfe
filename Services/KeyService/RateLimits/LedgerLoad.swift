import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MiniRedis
import PostgresNIO
import Shared
import Synchronization

/// `key-service ledger-load --store postgres|redis://... --instances N --keys K`: drives a
/// rate-limit ledger the way N resource-service instances with K busy keys would, and reports
/// leases a second, lease latency, and whether any key got past (or fell short of) its limits.
///
/// Every busy key is leased by each of the N instances in turn, for the current second, asking
/// for half the key's per-second limit as the limiter does: N leases competing for each key's
/// window, and K keys' windows in the store at once. `--concurrency` leases are in flight at
/// any time, over `--connections` connections (those of the key service's replicas together).
struct LedgerLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-load",
        abstract: "Measure a rate-limit ledger store under the load of N instances and K busy keys (scripts/bench-ledger runs a table of them).",
        discussion: """
            --store postgres uses DATABASE_URL (migrated first; the ledger's table is emptied before the run). \
            --store redis://... uses that Redis (its database is flushed before the run: never point it at a shared one). \
            Prints one JSON line: leases a second, p50/p99/max latency in ms, errors, over-admitted and short windows.
            """
    )

    @Option(help: "postgres, or a redis:// URL.") var store: String
    @Option(help: "Resource-service instances leasing each key.") var instances: Int = 2
    @Option(help: "Busy keys.") var keys: Int = 1000
    @Option(help: "Seconds to run.") var seconds: Int = 5
    @Option(help: "Leases in flight at once.") var concurrency: Int = 64
    @Option(help: "Connections to the store.") var connections: Int = 16
    @Option(help: "Each key's limit per second (Starter: 10).") var perSecond: Int = 10
    @Option(help: "Each key's limit per minute (Starter: 500).") var perMinute: Int = 500

    func validate() throws {
        guard (1...1000).contains(instances), (1...10_000_000).contains(keys), (1...600).contains(seconds) else {
            throw ValidationError("--instances 1-1000, --keys 1-10000000, --seconds 1-600")
        }
        guard (1...4096).contains(concurrency), (1...500).contains(connections), perSecond > 1, perMinute >= perSecond else {
            throw ValidationError("--concurrency 1-4096, --connections 1-500, --per-second > 1, --per-minute >= --per-second")
        }
    }

    /// What one worker saw.
    struct Tally: Sendable {
        var latencies: [Double] = []
        var errors = 0
        /// Granted and asked per (key index, second), and granted per (key index, minute).
        var granted: [Pair: Int] = [:]
        var asked: [Pair: Int] = [:]
        var grantedInMinute: [Pair: Int] = [:]
    }

    struct Pair: Hashable, Sendable {
        let key: Int
        let window: Int64
    }

    func run() async throws {
        var logger = Logger(label: "ledger-load")
        logger.logLevel = .error
        let ids = (0..<keys).map { _ in UUID() }
        let total = instances * keys
        let want = max(1, perSecond / 2)
        let (perSecond, perMinute, seconds, concurrency) = (self.perSecond, self.perMinute, self.seconds, self.concurrency)
        let next = Turns()

        let work: @Sendable (any RateLimitLedger) async -> [Tally] = { ledger in
            let clock = ContinuousClock()
            let end = clock.now + .seconds(seconds)
            return await withTaskGroup(of: Tally.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        var tally = Tally()
                        while clock.now < end {
                            // Key-major: the N instances' leases of one key come one after another.
                            let slot = next.take() % total
                            let key = slot / (total / ids.count)
                            let second = Int64(Date().timeIntervalSince1970)
                            let started = clock.now
                            do {
                                let lease = try await ledger.lease(
                                    key: ids[key], second: second, want: want, perSecond: perSecond, perMinute: perMinute)
                                let elapsed = clock.now - started
                                tally.latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                                tally.granted[Pair(key: key, window: second), default: 0] += lease.granted
                                tally.asked[Pair(key: key, window: second), default: 0] += want
                                tally.grantedInMinute[Pair(key: key, window: second - second % 60), default: 0] += lease.granted
                            } catch {
                                tally.errors += 1
                            }
                        }
                        return tally
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }

        let tallies: [Tally]
        if store == "postgres" {
            let settings = try KeyServiceSettings(environment: Environment(), serving: false)
            var configuration = settings.service
            configuration.databasePoolSize = connections
            let postgres = try ServiceRuntime.makePostgresClient(configuration: configuration, logger: logger)
            tallies = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await postgres.run() }
                defer { group.cancelAll() }
                try await MigrationRunner(client: postgres, migrations: KeyServiceMigrations.all, logger: logger).migrate()
                try await postgres.query("TRUNCATE rate_limit_usage", logger: logger)
                return await work(PostgresRateLimitLedger(client: postgres, logger: logger))
            }
        } else {
            let redis = RedisClient(configuration: try RedisConfiguration(url: store, connections: connections, timeout: .seconds(5)), logger: logger)
            try await redis.send(["FLUSHDB"])
            tallies = await work(RedisRateLimitLedger(redis: redis, logger: logger))
            await redis.close()
        }
        print(Self.report(tallies, perSecond: perSecond, perMinute: perMinute, seconds: seconds))
    }

    /// The run as one JSON line.
    static func report(_ tallies: [Tally], perSecond: Int, perMinute: Int, seconds: Int) -> String {
        var latencies = tallies.flatMap(\.latencies)
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        var granted: [Pair: Int] = [:]
        var asked: [Pair: Int] = [:]
        var minutes: [Pair: Int] = [:]
        for tally in tallies {
            granted.merge(tally.granted, uniquingKeysWith: +)
            asked.merge(tally.asked, uniquingKeysWith: +)
            minutes.merge(tally.grantedInMinute, uniquingKeysWith: +)
        }
        // Past a limit: any second or minute whose grants add up to more than its limit.
        let overSeconds = granted.values.filter { $0 > perSecond }.count
        let overMinutes = minutes.values.filter { $0 > perMinute }.count
        // Short: a second asked for at least its limit, in a minute that never ran out, granted less.
        var short = 0
        var shortRequests = 0
        for (pair, asked) in asked where asked >= perSecond {
            let minute = Pair(key: pair.key, window: pair.window - pair.window % 60)
            guard (minutes[minute] ?? 0) + perSecond <= perMinute else { continue }
            let missing = perSecond - (granted[pair] ?? 0)
            if missing > 0 {
                short += 1
                shortRequests += missing
            }
        }
        let fields: [String] = [
            "\"leases\": \(latencies.count)", "\"leases_per_second\": \(latencies.count / max(1, seconds))",
            String(format: "\"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f", percentile(0.5), percentile(0.99), latencies.last ?? 0),
            "\"errors\": \(tallies.map(\.errors).reduce(0, +))", "\"windows\": \(asked.count)",
            "\"keys_touched\": \(Set(asked.keys.map(\.key)).count)",
            "\"over_admitted_seconds\": \(overSeconds)", "\"over_admitted_minutes\": \(overMinutes)",
            "\"short_seconds\": \(short)", "\"short_requests\": \(shortRequests)",
        ]
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// The next lease to send, shared by the workers.
    final class Turns: Sendable {
        let value = Atomic<Int>(0)
        func take() -> Int { value.add(1, ordering: .relaxed).oldValue }
    }
}
