import Foundation

/// Asks the key service about a key (RFC 7662). `nil` means "not active"; a thrown error means
/// "could not find out", which the caller must treat as a failure, never as an answer.
public protocol KeyIntrospector: Sendable {
    /// The verified key, nil if the key service says it is not active.
    func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey?
}
