import Logging
import ServiceLifecycle
import Synchronization

/// Knows the newest revocation sequence, reading it once every 100 ms for the whole process,
/// so that any number of waiting readers of the revocation feed cost the database one small
/// query per tick instead of one each.
final class RevocationNotifier: Service, Sendable {
    let keys: any APIKeyRepository
    let logger: Logger
    private let newest = Mutex<Int64>(0)

    init(keys: any APIKeyRepository, logger: Logger) {
        self.keys = keys
        self.logger = logger
    }

    /// The newest sequence seen.
    var latest: Int64 { newest.withLock { $0 } }

    /// Reads the newest sequence now (also called right after a revocation in this process).
    func refresh() async {
        do {
            let latest = try await keys.revocations(after: .max, limit: 1).latest
            newest.withLock { $0 = max($0, latest) }
        } catch {
            logger.debug("could not read the newest revocation", metadata: ["error": "\(String(describing: error))"])
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.refresh()
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
