import Hummingbird
import NIOCore
import NIOPosix

/// Runs the rest of the chain on the request's own event loop instead of the global concurrent
/// executor, so that a request and the database and HTTP calls it awaits (whose answers arrive on
/// event loops) do not hop between thread pools at every `await`.
public struct EventLoopExecutorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    /// The type of NIO's own event loops; test channels' loops (which run only when a test
    /// advances them) are left alone.
    static let posixLoopType = ObjectIdentifier(type(of: MultiThreadedEventLoopGroup.singleton.any()))

    /// Prefers the request's event loop for every task of the request.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let loop = context.eventLoop, ObjectIdentifier(type(of: loop)) == Self.posixLoopType else {
            return try await next(request, context)
        }
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(loop: loop)) {
            try await next(request, context)
        }
    }
}

/// A `TaskExecutor` that runs jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
