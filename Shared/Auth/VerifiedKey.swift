import Foundation

/// What introspection vouched for: the key, its organization, its scopes and its rate limits.
public struct VerifiedKey: Sendable, Equatable {
    public let keyId: UUID
    public let organizationId: UUID
    public let scopes: ScopeSet
    public let rateLimits: RateLimits
    /// When a rolled key stops working (introspection's `exp`); nil for a key that does not expire.
    public let expiresAt: Date?

    public init(keyId: UUID, organizationId: UUID, scopes: ScopeSet, rateLimits: RateLimits = .unlimited, expiresAt: Date? = nil) {
        self.keyId = keyId
        self.organizationId = organizationId
        self.scopes = scopes
        self.rateLimits = rateLimits
        self.expiresAt = expiresAt
    }
}
