import Foundation
import Logging
import ServiceLifecycle

/// Makes sure SIGTERM ends the process (docs/design/hostile-clients.md): once shutdown begins it starts a clock on
/// a thread of its own, and if the process is still there after the grace and a short
/// allowance for cancellation, it logs what happened and exits with status 1. Work stuck where
/// cancellation cannot reach it (a database call on a dead connection) is abandoned with it.
struct ShutdownWatchdog: Service {
    /// What cancellation may take after the grace before the process is ended.
    static let cancellationAllowance = Duration.seconds(3)

    let grace: Duration
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let limit = grace + Self.cancellationAllowance
        let logger = self.logger
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18)
            logger.critical("shutdown outlasted its grace; exiting with work abandoned", metadata: ["grace": "\(limit)"])
            exit(1)
        }
    }
}
