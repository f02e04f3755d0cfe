import DequeModule

/// Values that expire, bounded in number: the oldest insertion goes first when full, and
/// expired ones go as new ones come. Not thread-safe; `KeyVerifier` holds it under its lock.
struct ExpiringCache<Key: Hashable, Value> {
    struct Entry {
        let value: Value
        let expires: ContinuousClock.Instant
    }

    let capacity: Int
    private(set) var entries: [Key: Entry] = [:]
    /// Keys in insertion order, with the expiry they were inserted with.
    private var order: Deque<(Key, ContinuousClock.Instant)> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// The value for `key`, if it has not expired by `now`.
    func value(for key: Key, at now: ContinuousClock.Instant) -> Value? {
        guard let entry = entries[key], entry.expires > now else { return nil }
        return entry.value
    }

    /// Stores `value` until `expires`, first dropping expired entries and then the oldest ones
    /// beyond the capacity; returns the values it dropped.
    @discardableResult
    mutating func insert(_ key: Key, _ value: Value, expires: ContinuousClock.Instant, now: ContinuousClock.Instant) -> [Value] {
        var dropped: [Value] = []
        while let (oldest, oldestExpiry) = order.first, oldestExpiry <= now || entries.count >= capacity {
            order.removeFirst()
            // The key may have been stored again since; only its latest insertion counts.
            if entries[oldest]?.expires == oldestExpiry, let removed = entries.removeValue(forKey: oldest) {
                dropped.append(removed.value)
            }
        }
        entries[key] = Entry(value: value, expires: expires)
        order.append((key, expires))
        return dropped
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
