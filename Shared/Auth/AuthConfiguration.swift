import Foundation
import Hummingbird

/// How a resource service verifies keys, from its environment.
public struct AuthConfiguration: Sendable {
    /// `INTROSPECTION_URL`, default the local key service.
    public var introspectionURL: String
    /// `INTROSPECTION_CLIENT_ID` / `INTROSPECTION_CLIENT_SECRET`: this service's credentials.
    public var clientId: String
    public var clientSecret: String
    /// `INTROSPECTION_TIMEOUT_MS`, default 2000.
    public var timeout: Duration
    /// `AUTH_CACHE_TTL` seconds, default 10, at most 60: revocation by expiry and `lastUsedAt`
    /// within a minute both rest on it.
    public var cacheTTL: Duration
    /// `AUTH_CACHE_MAX_ENTRIES`, default 100000: answers for active keys.
    public var cacheMaxEntries: Int
    /// `AUTH_NEGATIVE_CACHE_MAX_ENTRIES`, default 200000: answers for unknown, revoked and expired
    /// keys, bounded apart so that a flood of them never evicts an active key.
    public var negativeCacheMaxEntries: Int
    /// `RATE_LIMIT_LEASE_WAIT_MS`, default 100: the longest a request waits for a rate-limit
    /// lease before its key is counted by this instance alone (`RateLimiter`).
    public var leaseWait: Duration

    /// The key service's base URL and the introspection path, split once for the clients that
    /// call its `/internal/` endpoints (introspection and the revocation feed).
    public var keyServiceURL: String {
        introspectionURL.range(of: "/internal/").map { String(introspectionURL[..<$0.lowerBound]) } ?? introspectionURL
    }

    public var introspectionPath: String {
        introspectionURL.range(of: "/internal/").map { String(introspectionURL[$0.lowerBound...]) } ?? "/internal/introspect"
    }

    public init(environment: Environment, serviceName: String) throws {
        introspectionURL = environment.get("INTROSPECTION_URL") ?? "http://127.0.0.1:8081/internal/introspect"
        clientId = environment.get("INTROSPECTION_CLIENT_ID") ?? serviceName
        clientSecret = try environment.secret(
            "INTROSPECTION_CLIENT_SECRET", purpose: "this service's secret for the key service's introspection endpoint")
        timeout = .milliseconds(try environment.integer("INTROSPECTION_TIMEOUT_MS", default: 2000, in: 50...30000))
        cacheTTL = .seconds(try environment.integer("AUTH_CACHE_TTL", default: 10, in: 0...60))
        cacheMaxEntries = try environment.integer("AUTH_CACHE_MAX_ENTRIES", default: 100_000, in: 1...10_000_000)
        negativeCacheMaxEntries = try environment.integer("AUTH_NEGATIVE_CACHE_MAX_ENTRIES", default: 200_000, in: 1...10_000_000)
        leaseWait = .milliseconds(try environment.integer("RATE_LIMIT_LEASE_WAIT_MS", default: 100, in: 10...5000))
    }
}
