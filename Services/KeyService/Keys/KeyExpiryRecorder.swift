import Logging
import ServiceLifecycle

/// Writes `key.expired` to the audit trail once for each rolled key whose expiry has passed,
/// every second. Refusing the key needs nothing from it: introspection compares the expiry
/// with the database's clock, and caches never outlive it.
struct KeyExpiryRecorder: Service {
    let keys: APIKeyRepository
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let recorded = try await keys.recordExpiries()
                    if recorded > 0 { logger.info("rolled keys expired", metadata: ["count": "\(recorded)"]) }
                } catch {
                    logger.debug("could not record key expiries", metadata: ["error": "\(String(describing: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
