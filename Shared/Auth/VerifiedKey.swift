import Foundation

/// What introspection vouched for: the key, its organization and its scopes.
public struct VerifiedKey: Sendable, Equatable {
    public let keyId: UUID
    public let organizationId: UUID
    public let scopes: Set<Scope>

    public init(keyId: UUID, organizationId: UUID, scopes: Set<Scope>) {
        self.keyId = keyId
        self.organizationId = organizationId
        self.scopes = scopes
    }
}
