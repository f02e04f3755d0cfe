import Synchronization

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

/// `work`'s answer, or nil when it has none within `limit` or the caller is cancelled first.
///
/// Unlike `withTimeout`, it does not wait for `work` to end: work stuck where cancellation
/// cannot reach it (PostgresNIO can lose a query written just as its connection closes, and
/// never answer it) is left behind, so a loop that calls this goes on. At the deadline the work
/// goes on unawaited (its answer, if it ever comes, is dropped); when the caller is cancelled,
/// the work is cancelled too. The timer ends as soon as the work answers, so a prompt answer
/// leaves no task behind.
public func withAbandoningDeadline<T: Sendable, Failure: Error>(
    _ limit: Duration, _ work: @escaping @Sendable () async throws(Failure) -> T
) async throws(Failure) -> T? {
    let race = DeadlineRace<T, Failure>()
    let outcome = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in race.start(continuation, limit: limit, work: work) }
    } onCancel: {
        race.finish(nil, cancelWork: true)
    }
    return try outcome?.get()
}

/// The work and the timer of `withAbandoningDeadline`; whichever ends first resumes the caller, once.
private final class DeadlineRace<T: Sendable, Failure: Error>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, Failure>?, Never>?
        var finished = false
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    func start(
        _ continuation: CheckedContinuation<Result<T, Failure>?, Never>, limit: Duration, work: @escaping @Sendable () async throws(Failure) -> T
    ) {
        state.withLock { state in
            // Cancelled before it began.
            guard !state.finished else { return continuation.resume(returning: nil) }
            state.continuation = continuation
            // Both tasks wait for this lock before they can finish, so they always find the continuation.
            state.work = Task {
                do throws(Failure) {
                    self.finish(.success(try await work()))
                } catch {
                    self.finish(.failure(error))
                }
            }
            state.timer = Task {
                // Cancelled: the work answered first.
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                self.finish(nil)
            }
        }
    }

    func finish(_ outcome: Result<T, Failure>?, cancelWork: Bool = false) {
        let taken = state.withLock { state -> (CheckedContinuation<Result<T, Failure>?, Never>?, Task<Void, Never>?, Task<Void, Never>?)? in
            guard !state.finished else { return nil }
            state.finished = true
            defer { (state.continuation, state.work, state.timer) = (nil, nil, nil) }
            return (state.continuation, state.work, state.timer)
        }
        guard let (continuation, work, timer) = taken else { return }
        timer?.cancel()
        if cancelWork { work?.cancel() }
        continuation?.resume(returning: outcome)
    }
}
