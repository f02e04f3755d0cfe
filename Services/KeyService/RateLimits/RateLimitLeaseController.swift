import Foundation
import Hummingbird
import Logging
import Metrics
import Shared
import Synchronization

/// `POST /internal/rate-limits/lease`: a resource service asks for part of a key's budget in a
/// one-second window (by its own clock: the current second or one of the next two), and
/// spends it locally without asking again. Same internal credentials as introspection.
struct RateLimitLeaseController: Sendable {
    let ledger: any RateLimitLedger
    /// Whether the ledger failed its last lease: a switch either way is one log line.
    let health: LedgerHealth

    init(ledger: any RateLimitLedger, metrics: ServiceMetrics, logger: Logger) {
        self.ledger = ledger
        self.health = LedgerHealth(errors: Counter(label: "rate_limit_ledger_errors_total", factory: metrics.factory), logger: logger)
    }

    /// The most a single lease may ask for: it bounds how much one instance can hold unspent.
    static let maxWant = 1000

    /// Adds the route.
    func addRoutes(to group: RouterGroup<InternalRequestContext>) {
        group.post("rate-limits/lease", use: lease)
    }

    /// The request: the key, its limits (from its introspection answer), the window and how many.
    struct Request: Decodable {
        let keyId: UUID
        let second: Int64
        let want: Int
        let perSecond: Int?
        let perMinute: Int?
    }

    /// The answer: requests granted in `second`, and both windows' totals after the grant.
    struct Answer: ResponseEncodable {
        let second: Int64
        let granted: Int
        let secondUsed: Int
        let minuteUsed: Int
    }

    /// Validates the window and sizes, then leases from the ledger in one round trip; a ledger
    /// that cannot answer is a 503, and the resource service counts alone until it answers again.
    @Sendable func lease(_ request: Hummingbird.Request, context: InternalRequestContext) async throws -> Answer {
        let body = try await request.decodeJSON(as: Request.self, context: context)
        let now = Int64(Date().timeIntervalSince1970)
        // A second of clock difference between hosts is tolerated; prefetching goes two ahead at most.
        guard (now - 1...now + 2).contains(body.second) else {
            throw APIError.invalidField("second", "must be within a second of now, or one of the next two")
        }
        guard (1...Self.maxWant).contains(body.want) else { throw APIError.invalidField("want", "must be from 1 to \(Self.maxWant)") }
        guard body.perSecond.map({ $0 > 0 }) ?? true, body.perMinute.map({ $0 > 0 }) ?? true else {
            throw APIError.validation("perSecond and perMinute must be positive when given")
        }
        let lease: LedgerLease
        do {
            lease = try await ledger.lease(
                key: body.keyId, second: body.second, want: body.want, perSecond: body.perSecond, perMinute: body.perMinute)
            health.answered(nil)
        } catch {
            health.answered(error)
            throw APIError.unavailable("The rate-limit ledger cannot be reached")
        }
        return Answer(second: body.second, granted: lease.granted, secondUsed: lease.secondUsed, minuteUsed: lease.minuteUsed)
    }
}

/// The ledger's failures: counted (`rate_limit_ledger_errors_total`), and logged once when the
/// ledger starts failing (with the first error: a wrong password, a full Redis, a timeout) and
/// once when it answers again, not once per lease.
final class LedgerHealth: Sendable {
    let errors: Counter
    let logger: Logger
    let failing = Mutex(false)

    init(errors: Counter, logger: Logger) {
        self.errors = errors
        self.logger = logger
    }

    /// Records a lease's outcome: nil when the ledger answered.
    func answered(_ error: (any Error)?) {
        if error != nil { errors.increment() }
        let switched = failing.withLock { failing in
            defer { failing = error != nil }
            return failing != (error != nil)
        }
        guard switched else { return }
        if let error {
            logger.warning(
                "the rate-limit ledger does not answer: leases are 503 and resource services count alone",
                metadata: ["error": "\(String(describing: error))"])
        } else {
            logger.notice("the rate-limit ledger answers again")
        }
    }
}
