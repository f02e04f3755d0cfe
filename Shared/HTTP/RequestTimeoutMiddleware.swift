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
        do {
            return try await withTimeout(timeout) { try await next(request, context) }
        } catch is TimeoutError {
            context.logger.error("request timed out", metadata: ["timeout": "\(timeout)"])
            throw APIError.unavailable("The request took too long; retry shortly", retryAfter: 2)
        }
    }
}
