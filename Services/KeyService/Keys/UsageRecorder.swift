import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps `lastUsedAt` within a minute without a database write per verification: introspection
/// notes each use in memory, and this service writes them all in one statement per interval,
/// and once more on shutdown.
final class UsageRecorder: Service, Sendable {
    let keys: APIKeyRepository
    let interval: Duration
    let logger: Logger
    private let pending = Mutex<[UUID: Date]>([:])

    init(keys: APIKeyRepository, interval: Duration, logger: Logger) {
        self.keys = keys
        self.interval = interval
        self.logger = logger
    }

    /// Notes that key `id` was used now.
    func record(_ id: UUID) {
        let now = Date()
        pending.withLock { $0[id] = now }
    }

    /// Writes what was noted since the last write; on failure keeps it for the next try.
    func flush() async {
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await keys.recordUsage(batch)
        } catch {
            logger.warning(
                "could not write last-used times; will retry", metadata: ["keys": "\(batch.count)", "error": "\(String(reflecting: error))"])
            pending.withLock { pending in pending.merge(batch) { newer, _ in newer } }
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                await self.flush()
            }
        }
        await flush()
    }
}
