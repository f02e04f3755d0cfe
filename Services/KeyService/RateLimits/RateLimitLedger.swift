import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// The authoritative count of each key's requests per fixed window (1 s and 1 min), shared by
/// every key service replica through PostgreSQL. Resource services lease budgets from it; it
/// forgets windows older than two minutes.
final class RateLimitLedger: Service, Sendable {
    let client: PostgresClient
    let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// What one lease gave: requests granted in `second`, and both windows' totals after it.
    struct Lease: Sendable, Equatable {
        let granted: Int
        let secondUsed: Int
        let minuteUsed: Int
    }

    /// Grants up to `want` requests of `key` in the window starting at `second` (UNIX seconds),
    /// within `perSecond` and `perMinute` (nil: no such limit), in one statement.
    func lease(key: UUID, second: Int64, want: Int, perSecond: Int?, perMinute: Int?) async throws -> Lease {
        let rows = try await client.query(
            "SELECT granted, second_used, minute_used FROM rate_limit_lease(\(key), \(second), \(want)::int, \(perSecond)::int, \(perMinute)::int)",
            logger: logger
        )
        for try await (granted, secondUsed, minuteUsed) in rows.decode((Int, Int, Int).self) {
            return Lease(granted: granted, secondUsed: secondUsed, minuteUsed: minuteUsed)
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
