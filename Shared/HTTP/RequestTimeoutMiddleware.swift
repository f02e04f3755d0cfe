import Hummingbird
import Logging

/// Answers 503 with `Retry-After` when a request takes longer than `timeout`, cancelling its
/// work (a lease from the database pool, a call to another service). Without it a request made
/// while PostgreSQL is down would wait for the pool's circuit breaker, a full minute.
public struct RequestTimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let timeout: Duration

    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Runs the rest of the chain against a timer; the first to finish wins, the other is cancelled.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withoutActuallyEscaping(next) { next in
            // The group waits for both children before it returns, so `next` never outlives this call.
            let chain = UncheckedSendable(next)
            let timeout = self.timeout
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await chain.value(request, context) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let response = try await group.next()! else {
                    context.logger.error("request timed out", metadata: ["timeout": "\(timeout)"])
                    throw APIError.unavailable("The request took too long; retry shortly", retryAfter: 2)
                }
                return response
            }
        }
    }
}

/// Carries a value across a concurrency boundary that the surrounding code makes safe.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
