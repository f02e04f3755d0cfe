import Logging
import ServiceLifecycle

/// Forgets kept answers once they are older than the retention, every `interval`.
public struct IdempotencyJanitor: Service {
    let store: IdempotencyStore
    let interval: Duration

    public init(store: IdempotencyStore, interval: Duration = .seconds(300)) {
        self.store = store
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let forgotten = try await store.purge()
                    if forgotten > 0 { store.logger.info("forgot expired idempotency answers", metadata: ["count": "\(forgotten)"]) }
                } catch {
                    store.logger.debug("could not forget expired idempotency answers", metadata: ["error": "\(String(describing: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
