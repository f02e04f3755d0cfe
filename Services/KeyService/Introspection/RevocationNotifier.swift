import Logging
import ServiceLifecycle
import Synchronization

/// Knows the newest revocation sequence for the whole process, so that any number of waiting
/// readers of the revocation feed cost the database nothing while nothing happens.
///
/// PostgreSQL notifies every replica as each revoking transaction commits (the log's trigger
/// sends `NOTIFY revocations`), so a revocation made by any replica wakes the waiting readers
/// of all of them within milliseconds. A read of the newest sequence once a second covers a
/// notification lost while the listening connection was being replaced.
final class RevocationNotifier: Service, Sendable {
    let keys: APIKeyRepository
    let logger: Logger
    private let newest = Mutex<Int64>(0)
    static let fallbackInterval = Duration.seconds(1)

    init(keys: APIKeyRepository, logger: Logger) {
        self.keys = keys
        self.logger = logger
    }

    /// The newest sequence seen.
    var latest: Int64 { newest.withLock { $0 } }

    /// Records a sequence seen (a notification, a read, a revocation of this process).
    func saw(_ sequence: Int64) {
        newest.withLock { $0 = max($0, sequence) }
    }

    /// Reads the newest sequence now.
    func refresh() async {
        do {
            saw(try await keys.revocations(after: .max, limit: 1).latest)
        } catch {
            logger.debug("could not read the newest revocation", metadata: ["error": "\(String(describing: error))"])
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listen() }
                group.addTask {
                    while !Task.isCancelled {
                        await self.refresh()
                        try? await Task.sleep(for: Self.fallbackInterval)
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// Follows the notifications, subscribing again after a broken connection.
    private func listen() async {
        while !Task.isCancelled {
            do {
                try await keys.followRevocations { self.saw($0) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("revocation notifications interrupted; listening again", metadata: ["error": "\(String(describing: error))"])
            }
            // A fresh read covers whatever was notified while not listening.
            await refresh()
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
