import Foundation
import Hummingbird
import Logging
import MiniRedis
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

/// The two stores of the rate-limit ledger give the same answers to the same leases, Redis
/// forgets windows as they expire, and a Redis that cannot answer is a prompt 503.
@Suite("The PostgreSQL and Redis ledgers agree")
struct RateLimitStoresTests {
    /// Runs `body` with a migrated key-service database's PostgreSQL ledger and a Redis ledger.
    static func withBothLedgers(_ body: @Sendable (PostgresRateLimitLedger, RedisRateLimitLedger) async throws -> Void) async throws {
        let url = try await TestDatabase.create()
        let logger = Logger(label: "ledger-test")
        let redis = RedisClient(configuration: try RedisConfiguration(url: try TestRedis.url(), timeout: .seconds(2)), logger: logger)
        defer { Task { await redis.close() } }
        try await TestDatabase.withClient(url) { postgres in
            try await MigrationRunner(client: postgres, migrations: KeyServiceMigrations.all, logger: logger).migrate()
            try await body(PostgresRateLimitLedger(client: postgres, logger: logger), RedisRateLimitLedger(redis: redis, logger: logger))
        }
    }

    @Test func aThousandRandomLeasesGetTheSameAnswersFromBothStores() async throws {
        try await Self.withBothLedgers { postgres, redis in
            var generator = SystemRandomNumberGenerator()
            let keys = (0..<5).map { _ in UUID() }
            // Limits as plans give them, none at all, and one window only; seconds across a minute's end.
            let limits: [(Int?, Int?)] = [(10, 500), (50, 2000), (nil, nil), (3, nil), (nil, 7)]
            let base = Int64(Date().timeIntervalSince1970) / 60 * 60 + 55
            for step in 0..<1000 {
                let index = Int.random(in: 0..<keys.count, using: &generator)
                let (perSecond, perMinute) = limits[index]
                let second = base + Int64.random(in: 0...9, using: &generator)
                let want = Int.random(in: 1...12, using: &generator)
                let fromPostgres = try await postgres.lease(key: keys[index], second: second, want: want, perSecond: perSecond, perMinute: perMinute)
                let fromRedis = try await redis.lease(key: keys[index], second: second, want: want, perSecond: perSecond, perMinute: perMinute)
                #expect(fromPostgres == fromRedis, "lease \(step): \(keys[index]) second \(second) want \(want) limits \(limits[index])")
                if fromPostgres != fromRedis { return }
            }
        }
    }

    @Test func redisCountersExpireWithTheirWindows() async throws {
        try await Self.withBothLedgers { _, ledger in
            let key = UUID()
            let second = Int64(Date().timeIntervalSince1970)
            _ = try await ledger.lease(key: key, second: second, want: 3, perSecond: 10, perMinute: 500)
            let (secondCounter, minuteCounter) = (
                RedisRateLimitLedger.counters(key: key, second: second)[0], RedisRateLimitLedger.counters(key: key, second: second)[1]
            )
            #expect(try await ledger.redis.send(["GET", secondCounter]).string == "3")
            #expect((1...5).contains(try await ledger.redis.send(["TTL", secondCounter]).integer ?? 0))
            #expect((66...75).contains(try await ledger.redis.send(["TTL", minuteCounter]).integer ?? 0))
            // A lease that grants nothing creates nothing.
            let none = UUID()
            let refused = try await ledger.lease(key: none, second: second, want: 1, perSecond: 10, perMinute: 500)
            #expect(refused.granted == 1)
            let exhausted = UUID()
            _ = try await ledger.lease(key: exhausted, second: second, want: 2, perSecond: 2, perMinute: nil)
            #expect(
                try await ledger.lease(key: exhausted, second: second, want: 1, perSecond: 2, perMinute: nil)
                    == LedgerLease(granted: 0, secondUsed: 2, minuteUsed: 2))
        }
    }

    @Test func aRedisThatDoesNotAnswerIsA503WithinItsTimeout() async throws {
        let password = "ledger-\(UUID().uuidString)"
        let server = try await PrivateRedis(password: password)
        defer { Task { try? await server.stop() } }
        let harness = try await KeyServiceHarness(environment: ["RATE_LIMIT_STORE": server.url, "RATE_LIMIT_STORE_TIMEOUT_MS": "100"])
        try await harness.run { client in
            let key = UUID()
            let now = Int64(Date().timeIntervalSince1970)
            let first = try await RateLimitLedgerTests.lease(client, key: key, second: now, want: 4, perSecond: 10, perMinute: nil)
            #expect(first.status == .ok)
            server.pause()
            let clock = ContinuousClock()
            let started = clock.now
            let stalled = try await RateLimitLedgerTests.lease(client, key: key, second: now, want: 1, perSecond: 10, perMinute: nil)
            #expect(stalled.status == .serviceUnavailable && apiError(stalled)?.code == "SERVICE_UNAVAILABLE")
            #expect(clock.now - started < .milliseconds(700))
            let again = try await RateLimitLedgerTests.lease(client, key: key, second: now, want: 1, perSecond: 10, perMinute: nil)
            #expect(again.status == .serviceUnavailable)
            server.resume()
            let back = try await RateLimitLedgerTests.lease(
                client, key: key, second: Int64(Date().timeIntervalSince1970) + 1, want: 2, perSecond: 10, perMinute: nil)
            #expect(back.status == .ok, "\(String(buffer: back.body))")
        }
        // One line when the ledger starts failing, one when it answers again; not one per lease.
        let logs = harness.logs.all
        #expect(logs.contains { $0.contains("rate-limit ledger: Redis at 127.0.0.1:\(server.port)") })
        #expect(logs.filter { $0.contains("the rate-limit ledger does not answer") }.count == 1, "\(logs.filter { $0.contains("ledger") })")
        #expect(logs.filter { $0.contains("the rate-limit ledger answers again") }.count == 1)
        // The password in RATE_LIMIT_STORE is in no log line, at trace level.
        #expect(!logs.contains { $0.contains(password) })
    }

    @Test func rateLimitStoreIsReadOrRefusedWithAReason() throws {
        #expect(try KeyServiceSettings.rateLimitStore(environment: Environment(values: [:])) == nil)
        #expect(try KeyServiceSettings.rateLimitStore(environment: Environment(values: ["RATE_LIMIT_STORE": "postgres"])) == nil)
        let redis = try KeyServiceSettings.rateLimitStore(
            environment: Environment(values: ["RATE_LIMIT_STORE": "redis://:pw-0123456789@cache:6380/1", "RATE_LIMIT_STORE_CONNECTIONS": "8"]))
        #expect(redis?.host == "cache" && redis?.port == 6380 && redis?.database == 1 && redis?.connections == 8)
        for bad in ["mysql://x", "rediss://cache", "redis://:CHANGE-ME@cache"] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                try KeyServiceSettings.rateLimitStore(environment: Environment(values: ["RATE_LIMIT_STORE": bad]))
            }
        }
    }
}

/// `key-service ledger-load`'s verdicts: a store that grants past a limit, or short of one, is
/// seen as such (the capacity table's "0 over-admitted" could otherwise never be anything else).
@Suite("The ledger load tool tells a store past its limits")
struct LedgerLoadReportTests {
    static func report(granted: [Int], asked: Int = 10) throws -> [String: Any] {
        var tally = LedgerLoad.Tally()
        for (second, grant) in granted.enumerated() {
            let pair = LedgerLoad.Pair(key: 0, window: 6000 + Int64(second))
            tally.granted[pair] = grant
            tally.asked[pair] = asked
            tally.grantedInMinute[LedgerLoad.Pair(key: 0, window: 6000), default: 0] += grant
            tally.latencies.append(1)
        }
        let line = LedgerLoad.report([tally], perSecond: 10, perMinute: 25, seconds: 1)
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func overAdmissionAndShortfallAreCounted() throws {
        let exact = try Self.report(granted: [10, 10])
        #expect(exact["over_admitted_seconds"] as? Int == 0 && exact["over_admitted_minutes"] as? Int == 0 && exact["short_seconds"] as? Int == 0)
        let overSecond = try Self.report(granted: [11])
        #expect(overSecond["over_admitted_seconds"] as? Int == 1)
        let overMinute = try Self.report(granted: [10, 10, 10])
        #expect(overMinute["over_admitted_minutes"] as? Int == 1 && overMinute["over_admitted_seconds"] as? Int == 0)
        // 7 of 10 in a minute with room: short by 3. Asked less than the limit: not short.
        let short = try Self.report(granted: [7])
        #expect(short["short_seconds"] as? Int == 1 && short["short_requests"] as? Int == 3)
        #expect(try Self.report(granted: [7], asked: 7)["short_seconds"] as? Int == 0)
    }
}
