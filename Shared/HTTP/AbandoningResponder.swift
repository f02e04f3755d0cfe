import Foundation
import Hummingbird
import HTTPTypes
import Logging
import Synchronization

/// The last word on how long a request may take (contract §12: every request is answered
/// within the request timeout, whatever its database call does). `RequestTimeoutMiddleware`
/// cancels work that runs late and answers 503; but a task group waits for its cancelled child,
/// so work that ignores cancellation (a query on a connection PostgreSQL dropped without a
/// word) would keep the request, and the server's shutdown, waiting. This responder runs the
/// router in a task of its own: if that task has not answered by `deadline`, it is cancelled
/// and abandoned, and the client gets 503 with `Retry-After` at once.
public struct AbandoningResponderBuilder<Inner: HTTPResponderBuilder>: HTTPResponderBuilder where Inner.Responder.Context: RequestContext {
    let inner: Inner
    let deadline: Duration

    public init(_ inner: Inner, deadline: Duration) {
        self.inner = inner
        self.deadline = deadline
    }

    public func buildResponder() -> Responder {
        Responder(inner: inner.buildResponder(), deadline: deadline)
    }

    public struct Responder: HTTPResponder {
        public typealias Context = Inner.Responder.Context
        let inner: Inner.Responder
        let deadline: Duration

        /// The router's answer, or a 503 of its own once `deadline` has passed.
        public func respond(to request: Request, context: Context) async throws -> Response {
            let inner = self.inner
            let work = Task { try await inner.respond(to: request, context: context) }
            let deadline = self.deadline
            let logger = context.logger
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                    let answer = FirstAnswer(continuation)
                    let timer = Task {
                        try await Task.sleep(for: deadline)
                        guard let continuation = answer.take() else { return }
                        work.cancel()
                        logger.error("request abandoned: its work ignored cancellation", metadata: ["deadline": "\(deadline)"])
                        continuation.resume(returning: Self.abandoned(request))
                    }
                    Task {
                        let result = await work.result
                        timer.cancel()
                        answer.take()?.resume(with: result)
                    }
                }
            } onCancel: {
                work.cancel()
            }
        }

        /// The continuation of a request, taken once by whichever of its work and its timer ends first.
        final class FirstAnswer: Sendable {
            let continuation: Mutex<CheckedContinuation<Response, any Error>?>

            init(_ continuation: CheckedContinuation<Response, any Error>) {
                self.continuation = Mutex(continuation)
            }

            func take() -> CheckedContinuation<Response, any Error>? {
                continuation.withLock { $0.take() }
            }
        }

        /// 503 in the contract's shape, with the request id the client sent (when plain).
        static func abandoned(_ request: Request) -> Response {
            var response = APIError.unavailable("The request took too long; retry shortly", retryAfter: 2).response()
            response.headers[.requestId] = request.headers[.requestId].flatMap(RequestIdMiddleware.acceptable) ?? UUID().uuidString.lowercased()
            response.headers[.contentTypeOptions] = "nosniff"
            return response
        }
    }
}
