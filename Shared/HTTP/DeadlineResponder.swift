import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Every request's deadline (docs/design/hostile-clients.md: every request is answered within the request
/// timeout, whatever its database call does), at the outside of the router:
///
/// - at `cancelAfter` (10 s) the request's work is cancelled: its database lease or call to
///   another service stops, and `ErrorMiddleware` answers whatever that throws with 503;
/// - at `abandonAfter` (11 s), if the work has still not answered (it ignores cancellation: a
///   query on a connection PostgreSQL dropped without a word), the client gets 503 with
///   `Retry-After` at once and the work is abandoned, so it cannot keep the request, or the
///   server's shutdown, waiting.
///
/// It costs one task and one timer on an event loop per request: no task group, no sleeping
/// task (a timeout made of a task group with two children cost more than the rest of the path).
public struct DeadlineResponderBuilder<Inner: HTTPResponderBuilder>: HTTPResponderBuilder where Inner.Responder.Context: RequestContext {
    let inner: Inner
    let cancelAfter: Duration
    let abandonAfter: Duration

    public init(_ inner: Inner, cancelAfter: Duration = RequestLimits.requestTimeout, abandonAfter: Duration = RequestLimits.abandonAfter) {
        self.inner = inner
        self.cancelAfter = cancelAfter
        self.abandonAfter = abandonAfter
    }

    public func buildResponder() -> Responder {
        Responder(inner: inner.buildResponder(), cancelAfter: cancelAfter, abandonAfter: abandonAfter)
    }

    public struct Responder: HTTPResponder {
        public typealias Context = Inner.Responder.Context
        let inner: Inner.Responder
        let cancelAfter: Duration
        let abandonAfter: Duration

        /// The router's answer, or a 503 of its own once `abandonAfter` has passed.
        public func respond(to request: Request, context: Context) async throws -> Response {
            let inner = self.inner
            let (cancelAfter, abandonAfter) = (self.cancelAfter, self.abandonAfter)
            let logger = context.logger
            let answer = FirstAnswer()
            // On the request's loop when it has one (`LoopPinnedChannel`); unstructured tasks do not inherit it.
            let executor = EventLoopTaskExecutor.current
            let work = Task(executorPreference: executor) {
                do {
                    answer.resume(with: .success(try await inner.respond(to: request, context: context)))
                } catch {
                    answer.resume(with: .failure(error))
                }
            }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                    let loop = executor?.loop ?? MultiThreadedEventLoopGroup.singleton.any()
                    let timer = loop.scheduleTask(in: .nanoseconds(cancelAfter.nanosecondsCount)) {
                        work.cancel()
                        logger.error("request timed out: its work is cancelled", metadata: ["timeout": "\(cancelAfter)"])
                        _ = loop.scheduleTask(in: .nanoseconds((abandonAfter - cancelAfter).nanosecondsCount)) {
                            if answer.resume(with: .success(Self.abandoned(request))) {
                                logger.error("request abandoned: its work ignored cancellation", metadata: ["deadline": "\(abandonAfter)"])
                            }
                        }
                    }
                    answer.start(continuation, timer: timer)
                }
            } onCancel: {
                work.cancel()
            }
        }

        /// 503 in the API's error shape, with the request id the client sent (when plain).
        static func abandoned(_ request: Request) -> Response {
            var response = APIError.unavailable("The request took too long; retry shortly", retryAfter: 2).response()
            response.headers[.requestId] = request.headers[.requestId].flatMap(RequestIdMiddleware.acceptable) ?? UUID().uuidString.lowercased()
            response.headers[.contentTypeOptions] = "nosniff"
            return response
        }
    }

    /// Where a request's answer goes: the first of its work and its deadline to resume it wins.
    /// The work may finish before the continuation exists; its result then waits here.
    final class FirstAnswer: Sendable {
        enum State {
            case waiting
            case started(CheckedContinuation<Response, any Error>, Scheduled<Void>)
            case finished(Result<Response, any Error>)
            case answered
        }

        let state = Mutex<State>(.waiting)

        /// Hands over the continuation, resuming it at once if the work already finished.
        func start(_ continuation: CheckedContinuation<Response, any Error>, timer: Scheduled<Void>) {
            let early: Result<Response, any Error>? = state.withLock { state in
                switch state {
                case .waiting:
                    state = .started(continuation, timer)
                    return nil
                case .finished(let result):
                    state = .answered
                    return result
                case .started, .answered:
                    return nil
                }
            }
            if let early {
                timer.cancel()
                continuation.resume(with: early)
            }
        }

        /// Resumes with `result` unless already answered; says whether it did.
        @discardableResult
        func resume(with result: Result<Response, any Error>) -> Bool {
            let taken: (CheckedContinuation<Response, any Error>, Scheduled<Void>)? = state.withLock { state in
                switch state {
                case .waiting:
                    state = .finished(result)
                    return nil
                case .started(let continuation, let timer):
                    state = .answered
                    return (continuation, timer)
                case .finished, .answered:
                    return nil
                }
            }
            guard let (continuation, timer) = taken else { return false }
            timer.cancel()
            continuation.resume(with: result)
            return true
        }
    }
}
