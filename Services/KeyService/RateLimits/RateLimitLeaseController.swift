import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /internal/rate-limits/lease`: a resource service asks for part of a key's budget in a
/// one-second window (by its own clock: the current second or one of the next two), and
/// spends it locally without asking again. Same internal credentials as introspection.
struct RateLimitLeaseController: Sendable {
    let ledger: any RateLimitLedger

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
        } catch {
            context.logger.debug("the rate-limit ledger did not answer", metadata: ["error": "\(String(describing: error))"])
            throw APIError.unavailable("The rate-limit ledger cannot be reached")
        }
        return Answer(second: body.second, granted: lease.granted, secondUsed: lease.secondUsed, minuteUsed: lease.minuteUsed)
    }
}
