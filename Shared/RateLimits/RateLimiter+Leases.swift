import Foundation
import Logging
import Metrics
import Synchronization

/// The limiter's side of the ledger: leases for the current second (waited for at most
/// `leaseWait`), for the next one (in the background), and while counting alone (one at a time,
/// to learn when the ledger answers again), and the switch between the ledger and counting alone.
extension RateLimiter {
    /// Leases for the current second and records the answer; waiting requests then look again,
    /// after `leaseWait` at the most: a lease that has not answered by then is given up for that
    /// second (when it answers later, it still brings the instance back to the ledger).
    func fetch(_ key: VerifiedKey, second: Int64, want: Int, requestId: String) async {
        let answer = await withAbandoningDeadline(leaseWait) { () -> RateLimitLease? in
            let lease = await self.leaser.lease(key: key.keyId, limits: key.rateLimits, second: second, want: want, requestId: requestId)
            lease == nil ? self.leaseFailures.increment() : self.leases.increment()
            self.ledgerAnswered(lease != nil)
            return lease
        }
        if answer == nil {
            leaseTimeouts.increment()
            ledgerAnswered(false)
        }
        let lease = answer ?? nil
        state.withLock { state in
            guard var entry = state.keys[key.keyId] else { return }
            entry.leasing = nil
            if entry.second == second {
                if let lease {
                    Self.apply(lease, want: want, to: &entry)
                } else {
                    entry.alone = true
                }
            }
            state.keys[key.keyId] = entry
        }
    }

    /// While counting alone: one lease, waited for by no request, to learn whether the ledger
    /// answers again; its budget is used for the rest of the second.
    func probe(_ key: VerifiedKey, second: Int64, requestId: String) async {
        let lease = await leaser.lease(key: key.keyId, limits: key.rateLimits, second: second, want: 1, requestId: requestId)
        lease == nil ? leaseFailures.increment() : leases.increment()
        state.withLock { state in
            state.probing = false
            if let lease, state.keys[key.keyId]?.second == second { Self.apply(lease, want: 1, to: &state.keys[key.keyId]!) }
        }
        ledgerAnswered(lease != nil)
    }

    /// Records whether the ledger answered a lease; logs and gauges a switch between the ledger
    /// and counting alone, once per switch.
    func ledgerAnswered(_ answered: Bool) {
        let switched = state.withLock { state in
            guard state.countingAlone == answered else { return false }
            state.countingAlone = !answered
            return true
        }
        guard switched else { return }
        alone.record(answered ? 0 : 1)
        if answered {
            logger.notice("rate-limit ledger answers again: keys are counted across instances")
        } else {
            logger.warning("rate-limit ledger does not answer within \(leaseWait): each key is counted by this instance alone until it does")
        }
    }

    /// Leases for the next second in the background and keeps it until that second comes.
    func fetchAhead(_ key: VerifiedKey, second: Int64, want: Int, requestId: String) async {
        let lease = await leaser.lease(key: key.keyId, limits: key.rateLimits, second: second, want: want, requestId: requestId)
        lease == nil ? leaseFailures.increment() : leases.increment()
        ledgerAnswered(lease != nil)
        state.withLock { state in
            guard var entry = state.keys[key.keyId] else { return }
            entry.fetchingAhead = false
            if let lease {
                if entry.second == second {
                    Self.apply(lease, want: want, to: &entry)
                } else if entry.second < second {
                    entry.ahead = AheadLease(lease, want: want)
                }
            }
            state.keys[key.keyId] = entry
        }
    }
}
