import HTTPTypes

extension RateLimiter {
    /// Whether a request may go on, and the headers that tell the client where it stands.
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        public let limit: Int
        public let remaining: Int
        /// The end of the window the numbers describe, in UNIX seconds.
        public let reset: Int64
        /// Seconds until a refused request may succeed.
        public let retryAfter: Int?
        /// The length of the window the numbers describe: 1 or 60 seconds.
        public let windowSeconds: Int
        /// The key's policies, as `RateLimit-Policy` lists them (draft-ietf-httpapi-ratelimit-headers).
        public var policy: String = ""
        /// Seconds until the described window resets, from the current second.
        public var resetIn: Int = 0

        /// `X-RateLimit-Limit`, `-Remaining`, `-Reset`, the IETF `RateLimit-Policy` and
        /// `RateLimit` (the same window and numbers), and `Retry-After` when refused.
        public var headers: HTTPFields {
            var fields: HTTPFields = [.rateLimitLimit: String(limit), .rateLimitRemaining: String(remaining), .rateLimitReset: String(reset)]
            if !policy.isEmpty {
                fields[.rateLimitPolicy] = policy
                fields[.rateLimit] = "\"\(Self.policyName(windowSeconds))\";r=\(remaining);t=\(resetIn)"
            }
            if let retryAfter { fields[.retryAfter] = String(retryAfter) }
            return fields
        }

        /// The name of a window's policy.
        static func policyName(_ windowSeconds: Int) -> String { windowSeconds == 1 ? "second" : "minute" }

        /// `"second";q=10;w=1, "minute";q=500;w=60` for the limits a key has.
        static func policy(_ limits: RateLimits) -> String {
            [limits.perSecond.map { "\"second\";q=\($0);w=1" }, limits.perMinute.map { "\"minute\";q=\($0);w=60" }]
                .compactMap { $0 }.joined(separator: ", ")
        }
    }
}

extension HTTPField.Name {
    public static let rateLimitLimit = HTTPField.Name("X-RateLimit-Limit")!
    /// draft-ietf-httpapi-ratelimit-headers: the key's quota policies, and where it stands in one.
    public static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    public static let rateLimit = HTTPField.Name("RateLimit")!
    public static let rateLimitRemaining = HTTPField.Name("X-RateLimit-Remaining")!
    public static let rateLimitReset = HTTPField.Name("X-RateLimit-Reset")!
}
