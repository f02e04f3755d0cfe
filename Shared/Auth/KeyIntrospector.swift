import Foundation

/// Asks the key service about a key (RFC 7662). `nil` means "not active"; a thrown error means
/// "could not find out", which the caller must treat as a failure, never as an answer.
public protocol KeyIntrospector: Sendable {
    /// The verified key, nil if the key service says it is not active.
    func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey?
}

/// Why a key could not be verified; each case ends in a 503, never in a 200 or a 401.
public enum IntrospectionFailure: Error, Equatable {
    case unreachable(String)
    case timedOut
    case unexpectedStatus(Int)
    case malformedAnswer(String)
}
