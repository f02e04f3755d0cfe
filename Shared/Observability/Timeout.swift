/// Thrown by `withTimeout` when the work did not finish in time.
public struct TimeoutError: Error {
    public init() {}
}

/// Runs `work`, cancelling it and throwing `TimeoutError` if it takes longer than `duration`.
public func withTimeout<T: Sendable>(
    _ duration: Duration,
    _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TimeoutError()
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
