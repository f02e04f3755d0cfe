import Foundation
import Logging
import MiniRedis
import ServiceLifecycle
import Shared

/// The rate-limit ledger in Redis (`RATE_LIMIT_STORE=redis://...`): a counter per window,
/// decided by one server-side script per lease, so both windows are read and raised atomically
/// in one round trip. Each counter expires soon after the last lease that can read it, so Redis
/// holds only the windows that can still be leased from, and nothing has to be deleted. Both keys carry the API key's id as a hash tag, so a Redis Cluster keeps
/// them in one slot, as a script requires.
final class RedisRateLimitLedger: RateLimitLedger, Sendable {
    let redis: RedisClient
    let logger: Logger

    init(redis: RedisClient, logger: Logger) {
        self.redis = redis
        self.logger = logger
    }

    /// KEYS: the second's counter, the minute's. ARGV: want, the per-second and per-minute limits
    /// (0: none), the counters' lifetimes. Returns granted and both totals after the grant.
    static let script = RedisScript(
        """
        local want = tonumber(ARGV[1])
        local perSecond = tonumber(ARGV[2])
        local perMinute = tonumber(ARGV[3])
        local secondUsed = tonumber(redis.call('GET', KEYS[1]) or '0')
        local minuteUsed = tonumber(redis.call('GET', KEYS[2]) or '0')
        local granted = want
        if perSecond > 0 then granted = math.min(granted, perSecond - secondUsed) end
        if perMinute > 0 then granted = math.min(granted, perMinute - minuteUsed) end
        if granted <= 0 then return {0, secondUsed, minuteUsed} end
        secondUsed = redis.call('INCRBY', KEYS[1], granted)
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        minuteUsed = redis.call('INCRBY', KEYS[2], granted)
        redis.call('EXPIRE', KEYS[2], ARGV[5])
        return {granted, secondUsed, minuteUsed}
        """)

    /// A second's counter lives 5 s after its last lease: the key service takes leases for a
    /// second from two seconds before it to one after it (3 s apart at most), and 2 s spare a
    /// difference between replicas' clocks.
    static let secondLifetime = 5
    /// A minute's counter lives 75 s after its last lease: two leases of one minute are at most
    /// 62 s apart (its first second leased 2 s early, its last 1 s late), and 13 s spare.
    static let minuteLifetime = 75

    /// The counters' names: `rl:{key id}:1:<second>` and `rl:{key id}:60:<minute>`.
    static func counters(key: UUID, second: Int64) -> [String] {
        let tag = "rl:{\(key.uuidString.lowercased())}"
        return ["\(tag):1:\(second)", "\(tag):60:\(second - second % 60)"]
    }

    func lease(key: UUID, second: Int64, want: Int, perSecond: Int?, perMinute: Int?) async throws -> LedgerLease {
        let answer = try await redis.evaluate(
            Self.script, keys: Self.counters(key: key, second: second),
            arguments: ["\(want)", "\(perSecond ?? 0)", "\(perMinute ?? 0)", "\(Self.secondLifetime)", "\(Self.minuteLifetime)"])
        guard let values = answer.elements?.compactMap(\.integer), values.count == 3 else {
            throw RedisError.protocolViolation("a lease answer of \(answer)")
        }
        return LedgerLease(granted: Int(values[0]), secondUsed: Int(values[1]), minuteUsed: Int(values[2]))
    }

    /// Keeps the connections until shutdown, then closes them.
    func run() async throws {
        try? await gracefulShutdown()
        await redis.close()
    }
}
