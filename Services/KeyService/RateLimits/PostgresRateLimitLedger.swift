import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// The rate-limit ledger in the key service's PostgreSQL database (the default store): an
/// unlogged table and one function that leases (migration 3); windows older than two minutes
/// are deleted every 30 seconds.
final class PostgresRateLimitLedger: RateLimitLedger, Sendable {
    let client: PostgresClient
    let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// One statement: `rate_limit_lease` locks the second's row, then the minute's.
    func lease(key: UUID, second: Int64, want: Int, perSecond: Int?, perMinute: Int?) async throws -> LedgerLease {
        let rows = try await client.query(
            "SELECT granted, second_used, minute_used FROM rate_limit_lease(\(key), \(second), \(want)::int, \(perSecond)::int, \(perMinute)::int)",
            logger: logger
        )
        for try await (granted, secondUsed, minuteUsed) in rows.decode((Int, Int, Int).self) {
            return LedgerLease(granted: granted, secondUsed: secondUsed, minuteUsed: minuteUsed)
        }
        throw APIError.internalError
    }

    /// Removes the windows that ended more than two minutes ago.
    func forgetOldWindows(now: Date = Date()) async throws {
        let horizon = Int64(now.timeIntervalSince1970) - 120
        try await client.query("DELETE FROM rate_limit_usage WHERE window_start < \(horizon)", logger: logger)
    }

    /// Every 30 seconds, forgets the windows nobody can lease from any more.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(30))
                do {
                    try await self.forgetOldWindows()
                } catch {
                    self.logger.debug("could not forget old rate-limit windows", metadata: ["error": "\(String(describing: error))"])
                }
            }
        }
    }
}
