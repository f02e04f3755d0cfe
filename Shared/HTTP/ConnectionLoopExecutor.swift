import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix

/// An event loop as a Swift task executor: a task that prefers it runs its jobs on that loop's
/// thread, so a request handled on its connection's loop reads, handles and answers without
/// leaving it (docs/BENCHMARKS.md, "Requests on their connection's loop": +31 % on the job by id, +46 %
/// on `/healthz`, against the global executor).
public final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    public let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// The executor of each loop of NIO's singleton group (the services' and their pools'), made once.
    static let executors: [ObjectIdentifier: EventLoopTaskExecutor] = {
        var executors: [ObjectIdentifier: EventLoopTaskExecutor] = [:]
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            executors[ObjectIdentifier(loop)] = EventLoopTaskExecutor(loop: loop)
        }
        return executors
    }()

    /// The executor of `loop`, one of the singleton group's.
    public static func of(_ loop: any EventLoop) -> EventLoopTaskExecutor? { executors[ObjectIdentifier(loop)] }

    /// The loop the current request runs on, when it was handed to one (`LoopPinnedChannel`).
    @TaskLocal public static var current: EventLoopTaskExecutor?

    /// Whether requests run on their connection's loop: `REQUEST_EXECUTOR=loop` (the default) or `global`.
    public static let enabled: Bool = ProcessInfo.processInfo.environment["REQUEST_EXECUTOR"] != "global"
}

/// An HTTP/1 child channel whose requests run as tasks preferring the connection's event loop.
struct LoopPinnedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> { base.setup(channel: channel, logger: logger) }

    func handle(value: Value, logger: Logger) async {
        guard let executor = EventLoopTaskExecutor.of(value.channel.eventLoop) else {
            return await base.handle(value: value, logger: logger)
        }
        await withTaskExecutorPreference(executor) {
            await EventLoopTaskExecutor.$current.withValue(executor) { await base.handle(value: value, logger: logger) }
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1, each connection's requests handled on its own event loop (`REQUEST_EXECUTOR=global`:
    /// on Swift's global executor, as Hummingbird does by default).
    public static func http1OnConnectionLoop(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        guard EventLoopTaskExecutor.enabled else { return .http1(configuration: configuration) }
        return .init { responder in LoopPinnedChannel(base: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
