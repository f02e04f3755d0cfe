import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Follows the key service's revocation log and drops each revoked key from the local cache
/// the moment it is revoked (docs/api-guide.md, "Calling the API with a key": the target is under one second everywhere).
///
/// It long-polls the log (`RevocationSource`) from its cursor, so after a disconnection or a restart
/// of the key service it resumes exactly where it stopped and loses nothing. When it has no
/// position it can trust (its first answer, or the log says `reset`) it flushes the whole cache
/// and starts from the newest entry. While the feed is unreachable the cache lifetime remains
/// the bound on how late a revocation can be.
public struct RevocationWatcher: Service {
    let verifier: KeyVerifier
    let source: any RevocationSource
    let applied: Counter
    let logger: Logger
    /// How long one long poll waits; below every service's request timeout (10 s).
    static let wait = 5

    /// Follows `source`, dropping what it reports from `verifier`'s cache.
    public init(verifier: KeyVerifier, source: any RevocationSource, metrics: ServiceMetrics, logger: Logger) {
        self.verifier = verifier
        self.source = source
        self.applied = Counter(label: "auth_revocations_applied_total", factory: metrics.factory)
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var cursor: Int64?
            var backoff = Duration.milliseconds(200)
            while !Task.isCancelled {
                do {
                    cursor = try await poll(from: cursor)
                    backoff = .milliseconds(200)
                } catch {
                    logger.warning("revocation feed unreachable; cached answers still expire", metadata: ["error": "\(String(describing: error))"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                }
            }
        }
        await source.shutdown()
    }

    /// One long poll: applies what it returns and gives the new cursor.
    func poll(from cursor: Int64?) async throws -> Int64 {
        let feed = try await source.revocations(after: cursor, waitSeconds: Self.wait, requestId: "revocations-\(UUID().uuidString.lowercased())")
        if feed.reset {
            logger.warning("revocation log cannot be resumed; flushing the key cache")
            verifier.removeAll()
            return feed.latest
        }
        if cursor == nil {
            // Until this first answer nothing was followed: whatever was cached meanwhile may
            // have been revoked unseen, so start from a clean cache at a known position.
            verifier.removeAll()
            return feed.latest
        }
        for event in feed.events {
            switch event.kind {
            case .REVOKED: verifier.invalidate(keyId: event.keyId)
            case .CHANGED: verifier.forget(keyId: event.keyId)
            }
            applied.increment()
        }
        return feed.events.last?.sequence ?? feed.latest
    }
}
