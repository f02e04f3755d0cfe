import DequeModule
import Foundation
import Logging
import Metrics
import Synchronization

/// Verifies API keys through a `KeyIntrospector`, with a short-lived, bounded local cache.
///
/// - The cache is keyed by the key's SHA-256 digest, never its plaintext.
/// - Both answers are cached: "inactive" too, so a flood of well-formed but unknown keys does
///   not become a flood of introspection calls (revocation is final, so it cannot go stale).
/// - Entries live `ttl`, and never past the key's own expiry (a rolled key's `exp`); at
///   `maxEntries` the oldest entry goes first.
/// - Concurrent misses for one key share a single introspection call.
/// - A hit takes a lock and a dictionary lookup: no database, no network.
public final class KeyVerifier: Sendable {
    struct Entry {
        let key: VerifiedKey?
        let expires: ContinuousClock.Instant
    }

    struct State {
        var entries: [KeyDigest: Entry] = [:]
        /// Digests in insertion order, with the expiry they were inserted with.
        var order: Deque<(KeyDigest, ContinuousClock.Instant)> = []
        var inFlight: [KeyDigest: (task: Task<VerifiedKey?, any Error>, generation: Int)] = [:]
        /// Counts `removeAll()` calls: an introspection that began before the latest one may
        /// carry an answer the flush was meant to forget, so it is never cached.
        var generation = 0
        /// The digest cached for each active key id, so a revocation can find its entry.
        var digestByKey: [UUID: KeyDigest] = [:]
        /// Keys revoked within the last lifetime: an answer that was already on its way when
        /// the revocation arrived must not be cached (or trusted) as active.
        var recentlyRevoked: [UUID: ContinuousClock.Instant] = [:]
        /// Keys changed (rolled) within the last lifetime: an answer asked for before the change
        /// is given but not cached, since it lacks the expiry the change brought.
        var recentlyChanged: [UUID: ContinuousClock.Instant] = [:]
    }

    let introspector: any KeyIntrospector
    let ttl: Duration
    let maxEntries: Int
    private let state = Mutex(State())
    // Made once: looking a metric up by name takes the factory's lock, which a hit should not pay.
    private let hits: Counter
    private let misses: Counter
    private let failures: Counter
    private let introspectionTime: Metrics.Timer

    public init(introspector: any KeyIntrospector, ttl: Duration, maxEntries: Int, metrics: ServiceMetrics) {
        self.introspector = introspector
        self.ttl = ttl
        self.maxEntries = maxEntries
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
        enum Lookup { case hit(VerifiedKey?), wait(Task<VerifiedKey?, any Error>) }
        let lookup: Lookup = state.withLock { state in
            if let entry = state.entries[digest], entry.expires > now {
                return .hit(entry.key)
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
            while let (oldest, oldestExpiry) = state.order.first,
                  oldestExpiry <= now || state.entries.count >= maxEntries
            {
                state.order.removeFirst()
                // The digest may have been stored again since; only its latest insertion counts.
                if state.entries[oldest]?.expires == oldestExpiry, let removed = state.entries.removeValue(forKey: oldest) {
                    if let id = removed.key?.keyId { state.digestByKey.removeValue(forKey: id) }
                }
            }
            state.entries[digest] = Entry(key: key, expires: expires)
            state.order.append((digest, expires))
            if let id = key?.keyId { state.digestByKey[id] = digest }
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

    /// Removes the key's cached answer and notes when, in `recent`, pruned past a lifetime.
    private func drop(_ keyId: UUID, noting recent: WritableKeyPath<State, [UUID: ContinuousClock.Instant]>) {
        let now = ContinuousClock.now
        let horizon = ttl + .seconds(5)
        state.withLock { state in
            if let digest = state.digestByKey.removeValue(forKey: keyId) {
                state.entries.removeValue(forKey: digest)
            }
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
            state.entries.removeAll()
            state.order.removeAll()
            state.digestByKey.removeAll()
        }
    }

    /// How many answers are cached now.
    public var count: Int {
        state.withLock { $0.entries.count }
    }
}
