import Foundation
import Logging
import ServiceLifecycle

/// The authoritative count of each key's requests per fixed window (1 s and 1 min), shared by
/// every key service replica. Resource services lease budgets from it
/// (docs/design/rate-limits.md). Two stores keep it: PostgreSQL, the key service's own
/// database (the default), and Redis (`RATE_LIMIT_STORE=redis://...`), for a platform whose
/// leases would crowd the database that answers introspection and sign-ins.
///
/// Both give the same answers: a lease decides both windows at once, atomically, so leases
/// never add up to more than a window's limit however many replicas ask at once.
protocol RateLimitLedger: Service {
    /// Where the lease route logs the ledger's failures.
    var logger: Logger { get }

    /// Grants up to `want` requests of `key` in the window starting at `second` (UNIX seconds),
    /// within `perSecond` and `perMinute` (nil: no such limit); the minute is the one `second` is in.
    func lease(key: UUID, second: Int64, want: Int, perSecond: Int?, perMinute: Int?) async throws -> LedgerLease
}

/// What one lease gave: requests granted in its second, and both windows' totals after it.
struct LedgerLease: Sendable, Equatable {
    let granted: Int
    let secondUsed: Int
    let minuteUsed: Int
}
