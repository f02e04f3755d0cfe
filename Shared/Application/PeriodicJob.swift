import Logging
import ServiceLifecycle

/// Background work done every `interval` until the service stops: forgetting kept answers or old
/// messages, recording expiries. `work` returns how many things it did; a run that did some
/// logs `done` with the count, a run that failed logs `failed` at debug level and the next run
/// tries again (the work is idempotent, so a missed run is caught up by the next).
public struct PeriodicJob: Service {
    let interval: Duration
    let done: String
    let failed: String
    let logger: Logger
    let work: @Sendable () async throws -> Int

    public init(every interval: Duration, done: String, failed: String, logger: Logger, work: @escaping @Sendable () async throws -> Int) {
        self.interval = interval
        self.done = done
        self.failed = failed
        self.logger = logger
        self.work = work
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let count = try await work()
                    if count > 0 { logger.info("\(done)", metadata: ["count": "\(count)"]) }
                } catch {
                    logger.debug("\(failed)", metadata: ["error": "\(String(describing: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
