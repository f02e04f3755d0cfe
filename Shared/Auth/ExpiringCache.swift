import DequeModule

/// Values that expire, bounded in number: the oldest insertion goes first when full, and
/// expired ones go as new ones come. Not thread-safe; `KeyVerifier` holds it under its lock.
///
/// Times are kept as nanoseconds after the cache was made, in 64 bits (292 years), rather than
/// as `ContinuousClock.Instant`s of 16 bytes: a service holds up to a hundred thousand entries
/// (docs/BENCHMARKS.md, "Memory per cached key").
struct ExpiringCache<Key: Hashable, Value> {
    struct Entry {
        let value: Value
        let expires: Int64
        let stored: Int64
    }

    let capacity: Int
    private let origin = ContinuousClock.now
    private(set) var entries: [Key: Entry] = [:]
    /// Keys in insertion order, with the expiry they were inserted with.
    private var order: Deque<(Key, Int64)> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    private func ticks(_ instant: ContinuousClock.Instant) -> Int64 { (instant - origin).nanosecondsCount }

    /// The value for `key`, if it has not expired by `now`.
    func value(for key: Key, at now: ContinuousClock.Instant) -> Value? {
        lookup(key, at: now)?.value
    }

    /// The value for `key` and when it was stored, if it has not expired by `now`.
    func lookup(_ key: Key, at now: ContinuousClock.Instant) -> (value: Value, stored: ContinuousClock.Instant)? {
        guard let entry = entries[key], entry.expires > ticks(now) else { return nil }
        return (entry.value, origin + .nanoseconds(entry.stored))
    }

    /// Stores `value` until `expires`, first dropping expired entries and then the oldest ones
    /// beyond the capacity.
    mutating func insert(_ key: Key, _ value: Value, expires: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let (expires, now) = (ticks(expires), ticks(now))
        while let (oldest, oldestExpiry) = order.first, oldestExpiry <= now || entries.count >= capacity {
            order.removeFirst()
            // The key may have been stored again since; only its latest insertion counts.
            if entries[oldest]?.expires == oldestExpiry { entries.removeValue(forKey: oldest) }
        }
        entries[key] = Entry(value: value, expires: expires, stored: now)
        order.append((key, expires))
    }

    /// Forgets `key` (its place in the order goes when it comes up).
    mutating func remove(_ key: Key) {
        entries.removeValue(forKey: key)
    }

    mutating func removeAll() {
        entries.removeAll()
        order.removeAll()
    }
}

extension ExpiringCache: Sendable where Key: Sendable, Value: Sendable {}
extension ExpiringCache.Entry: Sendable where Value: Sendable {}
