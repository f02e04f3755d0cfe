import Foundation
import Logging
import Metrics
import Synchronization

/// Verifies API keys through a `KeyIntrospector`, with a short-lived, bounded local cache.
///
/// - The cache is keyed by the key's SHA-256 digest, never its plaintext.
/// - Both answers are cached, each in a cache of its own (docs/design/hostile-clients.md): "inactive" too, so a
///   flood of well-formed but unknown keys (anyone can compute the checksum) does not become a
///   flood of introspection calls, and it can never evict an active key's answer, since the
///   two are bounded apart (`maxEntries` and `maxInactiveEntries`). Revocation is final, so an
///   inactive answer cannot go stale.
/// - Entries live `ttl`, and never past the key's own expiry (a rolled key's `exp`); when a
///   cache is full its oldest entry goes first.
/// - Concurrent misses for one key share a single introspection call.
/// - A hit takes a lock and a dictionary lookup: no database, no network.
public final class KeyVerifier: Sendable {
    struct State {
        /// The answers for active keys, and apart from them those for everything else.
        var active: ExpiringCache<KeyDigest, VerifiedKey>
        var inactive: ExpiringCache<KeyDigest, Void>
        var inFlight: [KeyDigest: (task: Task<VerifiedKey?, any Error>, generation: Int)] = [:]
        /// Counts `removeAll()` calls: an introspection that began before the latest one may
        /// carry an answer the flush was meant to forget, so it is never cached.
        var generation = 0
        /// Keys revoked within the last lifetime: their cached answers are dropped when next
        /// found, and an answer that was already on its way when the revocation arrived must not
        /// be cached (or trusted) as active.
        var recentlyRevoked: [UUID: ContinuousClock.Instant] = [:]
        /// Keys changed (rolled) within the last lifetime: an answer cached before the change is
        /// dropped when next found, and one asked for before it is given but not cached, since it
        /// lacks the expiry the change brought.
        var recentlyChanged: [UUID: ContinuousClock.Instant] = [:]

        /// Whether an answer for `keyId` stored at `stored` was revoked or changed since. Both
        /// records outlive every answer they concern (a lifetime and 5 s), so no index from key
        /// ids to cached answers is needed: it cost a hundred bytes a key.
        func isStale(_ keyId: UUID, stored: ContinuousClock.Instant) -> Bool {
            if !recentlyRevoked.isEmpty, recentlyRevoked[keyId] != nil { return true }
            if !recentlyChanged.isEmpty, let changedAt = recentlyChanged[keyId], stored <= changedAt { return true }
            return false
        }
    }

    let introspector: any KeyIntrospector
    let ttl: Duration
    private let state: Mutex<State>
    // Made once: looking a metric up by name takes the factory's lock, which a hit should not pay.
    private let hits: Counter
    private let misses: Counter
    private let failures: Counter
    private let introspectionTime: Metrics.Timer

    /// `maxEntries` bounds the active keys' answers; `maxInactiveEntries` (as many by default)
    /// the others'.
    public init(introspector: any KeyIntrospector, ttl: Duration, maxEntries: Int, maxInactiveEntries: Int? = nil, metrics: ServiceMetrics) {
        self.introspector = introspector
        self.ttl = ttl
        self.state = Mutex(State(active: ExpiringCache(capacity: maxEntries), inactive: ExpiringCache(capacity: maxInactiveEntries ?? maxEntries)))
        self.hits = Counter(label: "auth_cache_hits_total", factory: metrics.factory)
        self.misses = Counter(label: "auth_cache_misses_total", factory: metrics.factory)
        self.failures = Counter(label: "auth_introspection_failures_total", factory: metrics.factory)
        self.introspectionTime = Metrics.Timer(label: "auth_introspection_duration_seconds", factory: metrics.factory)
    }

    /// The verified key, or nil when the key service says it is not active.
    /// Throws `InternalCallFailure` when that cannot be known right now.
    public func verify(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? {
        let digest = token.sha256
        let now = ContinuousClock.now
        enum Lookup {
            case hit(VerifiedKey?)
            case wait(Task<VerifiedKey?, any Error>)
        }
        let lookup: Lookup = state.withLock { state in
            if let (key, stored) = state.active.lookup(digest, at: now) {
                guard state.isStale(key.keyId, stored: stored) else { return .hit(key) }
                state.active.remove(digest)
            }
            if state.inactive.value(for: digest, at: now) != nil {
                return .hit(nil)
            }
            if let flight = state.inFlight[digest] {
                return .wait(flight.task)
            }
            let generation = state.generation
            let task = Task { try await self.fetch(token, digest: digest, generation: generation, requestId: requestId) }
            state.inFlight[digest] = (task, generation)
            return .wait(task)
        }
        switch lookup {
        case .hit(let key):
            hits.increment()
            return key
        case .wait(let task):
            return try await task.value
        }
    }

    /// Calls the key service once for a missed key and stores the answer.
    private func fetch(_ token: APIKeyToken, digest: KeyDigest, generation: Int, requestId: String) async throws -> VerifiedKey? {
        misses.increment()
        let start = ContinuousClock.now
        defer {
            introspectionTime.recordNanoseconds((ContinuousClock.now - start).nanosecondsCount)
        }
        do {
            let key = try await introspector.introspect(token, requestId: requestId)
            return store(digest, key: key, generation: generation, askedAt: start)
        } catch {
            state.withLock { state in
                if state.inFlight[digest]?.generation == generation { state.inFlight.removeValue(forKey: digest) }
            }
            failures.increment()
            throw error
        }
    }

    /// Stores an answer, evicting expired entries and then the oldest ones beyond the bound.
    /// Returns the answer to give: an "active" for a key revoked meanwhile becomes inactive.
    /// An answer from before the latest `removeAll()` is given to its waiting requests but not kept.
    @discardableResult
    private func store(_ digest: KeyDigest, key: VerifiedKey?, generation: Int, askedAt: ContinuousClock.Instant) -> VerifiedKey? {
        let now = ContinuousClock.now
        var expires = now + ttl
        if let expiresAt = key?.expiresAt {
            // The key's own end, turned once into this process's monotonic clock.
            let left = expiresAt.timeIntervalSinceNow
            guard left > 0 else {
                state.withLock { state in
                    if state.inFlight[digest]?.generation == generation { state.inFlight.removeValue(forKey: digest) }
                }
                return nil
            }
            expires = min(expires, now + .milliseconds(Int64(left * 1000)))
        }
        return state.withLock { state in
            var key = key
            if let id = key?.keyId, let revokedAt = state.recentlyRevoked[id], now - revokedAt < ttl + .seconds(5) {
                key = nil
            }
            if let id = key?.keyId, let changedAt = state.recentlyChanged[id], askedAt <= changedAt {
                if state.inFlight[digest]?.generation == generation { state.inFlight.removeValue(forKey: digest) }
                return key
            }
            guard state.generation == generation else { return key }
            state.inFlight.removeValue(forKey: digest)
            if let key {
                state.inactive.remove(digest)
                state.active.insert(digest, key, expires: expires, now: now)
            } else {
                state.active.remove(digest)
                state.inactive.insert(digest, (), expires: expires, now: now)
            }
            return key
        }
    }

    /// Drops the cached answer for a revoked key at once, and refuses to cache it as active for
    /// a while, in case an introspection started before the revocation answers after it.
    public func invalidate(keyId: UUID) {
        drop(keyId, noting: \.recentlyRevoked)
    }

    /// Drops the cached answer for a key that changed but still works (a roll gave it an
    /// expiry): its next request asks the key service again, and an answer asked for before
    /// the change is not kept.
    public func forget(keyId: UUID) {
        drop(keyId, noting: \.recentlyChanged)
    }

    /// Notes when, in `recent` (pruned past a lifetime): from then on the key's cached answer is
    /// dropped when next found (`State.isStale`), which is at once for every request.
    private func drop(_ keyId: UUID, noting recent: WritableKeyPath<State, [UUID: ContinuousClock.Instant]>) {
        let now = ContinuousClock.now
        let horizon = ttl + .seconds(5)
        state.withLock { state in
            state[keyPath: recent][keyId] = now
            if state[keyPath: recent].count > 10_000 {
                state[keyPath: recent] = state[keyPath: recent].filter { now - $0.value < horizon }
            }
        }
    }

    /// Forgets every cached answer, and every introspection already on its way: a request from
    /// now on asks the key service again.
    public func removeAll() {
        state.withLock { state in
            state.generation += 1
            state.inFlight.removeAll()
            state.active.removeAll()
            state.inactive.removeAll()
        }
    }

    /// How many answers are cached now, active and inactive.
    public var count: Int {
        state.withLock { $0.active.count + $0.inactive.count }
    }

    /// How many answers for active keys are cached now.
    public var activeCount: Int {
        state.withLock { $0.active.count }
    }
}
