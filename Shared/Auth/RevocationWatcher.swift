import AsyncHTTPClient
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Follows the key service's revocation log and drops each revoked key from the local cache
/// the moment it is revoked (contract §3: the target is under one second everywhere).
///
/// It long-polls `/internal/revocations` from its cursor, so after a disconnection or a restart
/// of the key service it resumes exactly where it stopped and loses nothing. When it has no
/// position it can trust (its first answer, or the log says `reset`) it flushes the whole cache
/// and starts from the newest entry. While the feed is unreachable the cache lifetime remains
/// the bound on how late a revocation can be. It has an HTTP client of its own, so its waiting
/// request never takes a pooled connection that introspection needs.
public struct RevocationWatcher: Service {
    let verifier: KeyVerifier
    let http: HTTPClient
    let client: InternalServiceClient
    let metrics: ServiceMetrics
    let logger: Logger
    /// How long one long poll waits; below every service's request timeout (10 s).
    static let wait = 5

    /// Follows the log at `keyServiceURL` with the resource service's own client credentials.
    public init(verifier: KeyVerifier, keyServiceURL: String, clientId: String, clientSecret: String, metrics: ServiceMetrics, logger: Logger) {
        self.verifier = verifier
        self.http = HTTPClient(eventLoopGroupProvider: .singleton)
        self.client = InternalServiceClient(
            baseURL: keyServiceURL, clientId: clientId, clientSecret: clientSecret, timeout: .seconds(Self.wait + 10), client: http
        )
        self.metrics = metrics
        self.logger = logger
    }

    struct Feed: Decodable {
        struct Event: Decodable {
            let sequence: Int64
            let keyId: UUID
        }

        let events: [Event]
        let latest: Int64
        let reset: Bool
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
        try? await http.shutdown()
    }

    /// One long poll: applies what it returns and gives the new cursor.
    func poll(from cursor: Int64?) async throws -> Int64 {
        let path = cursor.map { "/internal/revocations?after=\($0)&waitSeconds=\(Self.wait)" } ?? "/internal/revocations"
        let data = try await client.send(.get, path, requestId: "revocations-\(UUID().uuidString.lowercased())")
        guard let feed = try? JSONDecoder().decode(Feed.self, from: data) else {
            throw InternalCallFailure.malformedAnswer("not a revocation feed")
        }
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
            verifier.invalidate(keyId: event.keyId)
            Counter(label: "auth_revocations_applied_total", factory: metrics.factory).increment()
        }
        return feed.events.last?.sequence ?? feed.latest
    }
}
