import Foundation

/// What introspection vouched for: the key, its organization, its scopes and its rate limits.
public struct VerifiedKey: Sendable, Equatable {
    public let keyId: UUID
    public let organizationId: UUID
    public let scopes: Set<Scope>
    public let rateLimits: RateLimits

    public init(keyId: UUID, organizationId: UUID, scopes: Set<Scope>, rateLimits: RateLimits = .unlimited) {
        self.keyId = keyId
        self.organizationId = organizationId
        self.scopes = scopes
        self.rateLimits = rateLimits
    }
}
