/// Thrown by `withTimeout` when the work did not finish in time.
public struct TimeoutError: Error {
    public init() {}
}

/// Runs `work`, cancelling it and throwing `TimeoutError` if it takes longer than `duration`.
/// For work inside a request (the readiness probe); whole requests have their deadline in
/// `DeadlineResponderBuilder`, which needs no task group.
public func withTimeout<T: Sendable>(_ duration: Duration, _ work: () async throws -> T) async throws -> T {
    try await withoutActuallyEscaping(work) { work in
        // The group waits for both children before it returns, so `work` never outlives this call.
        let work = UncheckedSendable(work)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work.value() }
            group.addTask {
                try await Task.sleep(for: duration)
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next()! else { throw TimeoutError() }
            return value
        }
    }
}

/// Carries a value across a concurrency boundary that the surrounding code makes safe.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
