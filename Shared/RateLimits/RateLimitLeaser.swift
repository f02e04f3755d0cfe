import Foundation
import Logging

/// A lease of part of a key's budget in one one-second window, as the key service granted it.
public struct RateLimitLease: Sendable, Equatable, Decodable {
    /// The window's start, in UNIX seconds.
    public let second: Int64
    /// Requests this instance may admit in that second.
    public let granted: Int
    /// Requests of that second and of its minute leased so far by every instance, this one included.
    public let secondUsed: Int
    public let minuteUsed: Int

    public init(second: Int64, granted: Int, secondUsed: Int, minuteUsed: Int) {
        self.second = second
        self.granted = granted
        self.secondUsed = secondUsed
        self.minuteUsed = minuteUsed
    }
}

/// Where budgets come from: the key service's ledger, shared by every instance of every service.
public protocol RateLimitLeaser: Sendable {
    /// Up to `want` requests of `key` in the window starting at `second`; nil when the ledger
    /// cannot be reached (the limiter then counts alone).
    func lease(key: UUID, limits: RateLimits, second: Int64, want: Int, requestId: String) async -> RateLimitLease?
}

/// `RateLimitLeaser` over HTTP: `POST /internal/rate-limits/lease` on the key service, with
/// this service's introspection credentials and a short timeout.
public struct HTTPRateLimitLeaser: RateLimitLeaser {
    let client: InternalServiceClient
    let logger: Logger

    public init(keyServiceURL: String, clientId: String, clientSecret: String, timeout: Duration, logger: Logger) {
        self.client = InternalServiceClient(
            baseURL: keyServiceURL, clientId: clientId, clientSecret: clientSecret, timeout: timeout, maxAnswerBytes: 4096)
        self.logger = logger
    }

    struct Request: Encodable {
        let keyId: UUID
        let second: Int64
        let want: Int
        let perSecond: Int?
        let perMinute: Int?
    }

    public func lease(key: UUID, limits: RateLimits, second: Int64, want: Int, requestId: String) async -> RateLimitLease? {
        do {
            let body = try JSONEncoder().encode(
                Request(keyId: key, second: second, want: want, perSecond: limits.perSecond, perMinute: limits.perMinute))
            let answer = try await client.send(
                .post, "/internal/rate-limits/lease", body: String(decoding: body, as: UTF8.self), contentType: "application/json",
                requestId: requestId
            )
            return try JSONDecoder().decode(RateLimitLease.self, from: answer)
        } catch {
            // The limiter logs the switch to counting alone, once; not every failed lease.
            logger.debug("cannot lease a rate-limit budget", metadata: ["error": "\(String(describing: error))", "key_id": "\(key.apiString)"])
            return nil
        }
    }
}
