import Logging
import ServiceLifecycle

/// Forgets messages and their attempts once they are older than the retention (30 days), and
/// secrets a day after they expired, every `interval`.
struct DeliveryJanitor: Service {
    static let retention = Duration.seconds(30 * 86400)

    let queue: MessageQueue
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let forgotten = try await queue.purge(retention: Self.retention)
                    if forgotten > 0 { logger.info("forgot webhook messages past their retention", metadata: ["count": "\(forgotten)"]) }
                } catch {
                    logger.debug("could not forget old webhook messages", metadata: ["error": "\(String(describing: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
