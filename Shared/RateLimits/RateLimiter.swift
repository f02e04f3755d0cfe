import Foundation
import Logging
import Metrics
import Synchronization

/// Per-key rate limits that hold across every service and instance (docs/api-guide.md, "Conventions").
///
/// Fixed windows of one second and one minute, counted by the key service's ledger. An instance
/// leases part of a key's budget for one second and admits requests from it locally: a request
/// costs a lock and a dictionary lookup, and waits on the network only when the instance holds
/// nothing for the current second (a key's first request here, or a burst past its lease).
/// While a key is busy, the next second's lease is fetched in the background, before it is due.
///
/// Accuracy: the ledger never grants more than a window's limit, so keys do not get past their
/// limits, whatever the number of instances. A budget leased but not spent is lost for that
/// second: with N instances a key can be refused up to (N - 1) × lease size requests early
/// (the lease size is at most half the per-second limit). When the key service cannot be reached,
/// each instance counts alone: a key can then get up to N times its limits until it is back.
///
/// A request never waits longer than `leaseWait` (`RATE_LIMIT_LEASE_WAIT_MS`, 100 ms) for a
/// lease: a ledger that refuses connections, or one that hangs (a paused process, its database
/// stalled, packets dropped), is given up for that second, and the instance counts alone. While
/// it does, no request waits for the ledger at all: one lease at a time is still sent in the
/// background, and the first that is answered brings every key back to the ledger. The switch
/// is one log line and the `rate_limit_counting_alone` gauge, not a line per request.
public final class RateLimiter: Sendable {
    /// What this instance knows of one key. Counts are kept in 32 bits (`Narrow`: a key's
    /// limits go to a million a second), since every key in use has one of these: 104 bytes, not 152
    /// (docs/BENCHMARKS.md, "Memory per cached key").
    struct KeyState {
        var limits: RateLimits
        /// The current one-second window, and what this instance holds and has spent in it.
        var second: Int64 = 0
        @Narrow var allowance = 0
        @Narrow var spent = 0
        @Narrow var spentBefore = 0
        /// The ledger had no more for this second (or its minute) at the last lease.
        var exhausted = false
        /// The ledger could not be reached for this second: counting alone.
        var alone = false
        /// The ledger's totals at the last lease, and what this instance admitted in the minute.
        @Narrow var secondUsed = 0
        @Narrow var minuteUsed = 0
        @Narrow var minuteSpent = 0
        /// A lease for a later second, fetched ahead, and whether a fetch is on its way.
        var ahead: AheadLease?
        var fetchingAhead = false
        var leasing: Task<Void, Never>?
        /// Requests waiting for the lease on its way: the next lease asks for them too.
        @Narrow var waiting = 0

        /// The current window's minute: the one its second falls in.
        var minute: Int64 { second - second % 60 }
    }

    /// A lease fetched ahead and how many it asked for, in 24 bytes.
    struct AheadLease {
        let second: Int64
        @Narrow var granted: Int
        @Narrow var secondUsed: Int
        @Narrow var minuteUsed: Int
        @Narrow var want: Int

        init(_ lease: RateLimitLease, want: Int) {
            second = lease.second
            granted = lease.granted
            secondUsed = lease.secondUsed
            minuteUsed = lease.minuteUsed
            self.want = want
        }

        var lease: RateLimitLease { RateLimitLease(second: second, granted: granted, secondUsed: secondUsed, minuteUsed: minuteUsed) }
    }

    /// An `Int` stored in 32 bits, clamped (no count here comes near 2^31).
    @propertyWrapper struct Narrow {
        private var stored: Int32
        init(wrappedValue: Int) { stored = Int32(clamping: wrappedValue) }
        var wrappedValue: Int {
            get { Int(stored) }
            set { stored = Int32(clamping: newValue) }
        }
    }

    struct State {
        var keys: [UUID: KeyState] = [:]
        var admissionsSincePrune = 0
        /// The ledger did not answer the last lease in time: every key counts alone.
        var countingAlone = false
        /// A lease sent while counting alone, to learn when the ledger answers again.
        var probing = false
    }

    let leaser: any RateLimitLeaser
    let now: @Sendable () -> Date
    /// The longest a request waits for a lease before its key counts alone for that second.
    let leaseWait: Duration
    let logger: Logger
    let state = Mutex(State())
    let limited: [Plan: Counter]
    let leases: Counter
    let leaseFailures: Counter
    let leaseTimeouts: Counter
    let alone: Gauge

    public init(
        leaser: any RateLimitLeaser, metrics: ServiceMetrics, leaseWait: Duration = .milliseconds(100),
        logger: Logger = Logger(label: "rate-limiter"), now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.leaser = leaser
        self.now = now
        self.leaseWait = leaseWait
        self.logger = logger
        self.limited = Dictionary(
            uniqueKeysWithValues: Plan.allCases.map {
                ($0, Counter(label: "rate_limited_requests_total", dimensions: [("plan", $0.rawValue)], factory: metrics.factory))
            })
        self.leases = Counter(label: "rate_limit_leases_total", factory: metrics.factory)
        self.leaseFailures = Counter(label: "rate_limit_lease_failures_total", factory: metrics.factory)
        self.leaseTimeouts = Counter(label: "rate_limit_lease_timeouts_total", factory: metrics.factory)
        self.alone = Gauge(label: "rate_limit_counting_alone", factory: metrics.factory)
        alone.record(0)
    }

    /// Whether the instance counts alone, having given up on the ledger.
    public var isCountingAlone: Bool { state.withLock { $0.countingAlone } }

    /// Admits or refuses one request of `key`; nil when the key has no limit at all.
    public func admit(_ key: VerifiedKey, requestId: String) async -> Decision? {
        guard !key.rateLimits.isUnlimited else { return nil }
        // Each round either decides or waits for one lease. A crowd arriving at once can spend
        // each lease before a waiter looks again, and the next lease is sized for the crowd
        // that waits, so rounds are many: four let a burst of 2000 on a key far under its
        // limits refuse up to a fifth of it (RateLimiterTests). Each round reads the clock
        // again: a request that waited is admitted in the second it is admitted in.
        for _ in 0..<Self.maximumRounds {
            let now = Int64(now().timeIntervalSince1970.rounded(.down))
            let (step, probe): (Step, Bool) = state.withLock { state in
                let step = Self.step(
                    &state.keys[key.keyId, default: KeyState(limits: key.rateLimits)], key: key, second: now, countingAlone: state.countingAlone
                ) { want, second in
                    Task { await self.fetch(key, second: second, want: want, requestId: requestId) }
                }
                Self.pruneIfDue(&state, second: now)
                let probe = state.countingAlone && !state.probing
                if probe { state.probing = true }
                return (step, probe)
            }
            if probe {
                Task { await self.probe(key, second: now, requestId: requestId) }
            }
            switch step {
            case .decided(let decision, let fetchAhead):
                if let fetchAhead {
                    Task { await self.fetchAhead(key, second: fetchAhead.second, want: fetchAhead.want, requestId: requestId) }
                }
                if !decision.allowed { limited[key.rateLimits.plan]?.increment() }
                return decision
            case .wait(let task):
                await task.value
                state.withLock { $0.keys[key.keyId]?.waiting -= 1 }
            }
        }
        // Leases keep running out under a crowd of concurrent requests: refuse this one.
        let decision = state.withLock { Self.decision($0.keys[key.keyId] ?? KeyState(limits: key.rateLimits), allowed: false) }
        limited[key.rateLimits.plan]?.increment()
        return decision
    }

    /// Leases a request may wait for before it is refused as if the key were over its limits.
    static let maximumRounds = 64

    /// What a request does next: it is decided, or it waits for a lease on its way.
    enum Step {
        case decided(Decision, fetchAhead: (want: Int, second: Int64)?)
        case wait(Task<Void, Never>)
    }

    /// One look at a key's state, in place, under the lock: admit from the lease, refuse, or
    /// start (or join) a lease for this second with `startLease` (how many, for which second).
    /// A key's state never goes back to an earlier second: a request whose clock read lags
    /// another's (read before the lock, or on a clock stepped back) counts in the key's current
    /// second. Rolled back, the key would drop the current second's lease, and the two seconds
    /// would keep discarding each other's leases until requests ran out of rounds (false 429s).
    static func step(
        _ entry: inout KeyState, key: VerifiedKey, second now: Int64, countingAlone: Bool = false,
        startLease: (_ want: Int, _ second: Int64) -> Task<Void, Never>
    ) -> Step {
        if entry.limits != key.rateLimits { entry.limits = key.rateLimits }
        let second = max(now, entry.second)
        roll(&entry, to: second)
        // The ledger is given up on: a second with nothing leased counts alone, without waiting.
        if countingAlone, entry.allowance == 0, entry.leasing == nil { entry.alone = true }
        if entry.allowance > 0 || (entry.alone && fitsAlone(entry)) {
            if entry.allowance > 0 { entry.allowance -= 1 }
            entry.spent += 1
            entry.minuteSpent += 1
            // A key busy in two seconds running is likely to be busy in the next one.
            var fetchAhead: (want: Int, second: Int64)?
            if !entry.alone, entry.spentBefore > 0, entry.ahead == nil, !entry.fetchingAhead {
                entry.fetchingAhead = true
                fetchAhead = (leaseSize(entry), second + 1)
            }
            return .decided(decision(entry, allowed: true), fetchAhead: fetchAhead)
        }
        if entry.exhausted || entry.alone {
            return .decided(decision(entry, allowed: false), fetchAhead: nil)
        }
        entry.waiting += 1
        if let task = entry.leasing { return .wait(task) }
        let task = startLease(leaseSize(entry), second)
        entry.leasing = task
        return .wait(task)
    }

    /// Moves a key's state to `second`: a new window starts empty, or with the lease fetched ahead.
    static func roll(_ entry: inout KeyState, to second: Int64) {
        guard entry.second != second else { return }
        let minuteBefore = entry.minute
        entry.spentBefore = entry.second == second - 1 ? entry.spent : 0
        entry.second = second
        entry.allowance = 0
        entry.spent = 0
        entry.exhausted = false
        entry.alone = false
        entry.secondUsed = 0
        if entry.minute != minuteBefore {
            entry.minuteUsed = 0
            entry.minuteSpent = 0
        }
        if let ahead = entry.ahead {
            entry.ahead = nil
            if ahead.lease.second == second { apply(ahead.lease, want: ahead.want, to: &entry) }
        }
    }

    /// Adds a lease to the key's state.
    static func apply(_ lease: RateLimitLease, want: Int, to entry: inout KeyState) {
        entry.allowance += lease.granted
        entry.secondUsed = lease.secondUsed
        entry.minuteUsed = max(entry.minuteUsed, lease.minuteUsed)
        // Less than asked: the second or its minute has nothing more for anyone.
        entry.exhausted = lease.granted < want
    }

    /// How many requests to lease: what the key used here lately, at most half a second's limit.
    static func leaseSize(_ entry: KeyState) -> Int {
        let cap = entry.limits.perSecond.map { max(1, $0 / 2) } ?? entry.limits.perMinute.map { max(1, $0 / 20) } ?? 1
        return min(cap, max(1, entry.spent, entry.spentBefore, entry.waiting), 1000)
    }

    /// Counting alone: within the limits as if this instance were the only one.
    static func fitsAlone(_ entry: KeyState) -> Bool {
        entry.spent < (entry.limits.perSecond ?? .max) && entry.minuteSpent < (entry.limits.perMinute ?? .max)
    }

    /// The headers' numbers: the window with the fewest requests left (the minute on a tie).
    static func decision(_ entry: KeyState, allowed: Bool) -> Decision {
        // Requests taken by everyone: the ledger's totals, less what this instance holds unspent;
        // counting alone, what this instance admitted.
        let secondTaken = entry.alone ? entry.spent : max(entry.secondUsed - entry.allowance, entry.spent)
        let minuteTaken = entry.alone ? entry.minuteSpent : max(entry.minuteUsed - entry.allowance, entry.minuteSpent)
        typealias Window = (limit: Int, remaining: Int, reset: Int64, seconds: Int)
        let minute: Window? = entry.limits.perMinute.map { ($0, max(0, $0 - minuteTaken), entry.minute + 60, 60) }
        let second: Window? = entry.limits.perSecond.map { ($0, max(0, $0 - secondTaken), entry.second + 1, 1) }
        // Only called for keys with at least one limit.
        let chosen: Window
        if let minute, let second {
            chosen = second.remaining < minute.remaining ? second : minute
        } else {
            chosen = (minute ?? second)!
        }
        let policy = Decision.policy(entry.limits)
        if allowed {
            return Decision(
                allowed: true, limit: chosen.limit, remaining: chosen.remaining, reset: chosen.reset, retryAfter: nil, windowSeconds: chosen.seconds,
                policy: policy, resetIn: max(1, Int(chosen.reset - entry.second))
            )
        }
        // Refused: the minute is spent, or else the second.
        let minuteIsSpent = minute.map { $0.remaining == 0 } ?? false
        let window = (minuteIsSpent ? minute : second) ?? chosen
        return Decision(
            allowed: false, limit: window.limit, remaining: 0, reset: window.reset, retryAfter: max(1, Int(window.reset - entry.second)),
            windowSeconds: window.seconds, policy: policy, resetIn: max(1, Int(window.reset - entry.second))
        )
    }

    /// Every 10000 admissions, forgets the keys idle for two minutes.
    static func pruneIfDue(_ state: inout State, second: Int64) {
        state.admissionsSincePrune += 1
        guard state.admissionsSincePrune >= 10_000 else { return }
        state.admissionsSincePrune = 0
        state.keys = state.keys.filter { $0.value.second >= second - 120 || $0.value.leasing != nil || $0.value.fetchingAhead }
    }
}
