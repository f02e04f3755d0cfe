import Foundation

/// Storage of organizations, console users and their sessions.
protocol ConsoleAccountRepository: Sendable {
    /// Creates an organization and its first admin together, or neither.
    func createOrganization(name: String, adminEmail: String, passwordHash: String) async throws -> (organizationId: UUID, userId: UUID)
    /// The user with this email (any case) and their bcrypt hash.
    func userForSignIn(email: String) async throws -> (ConsoleUser, passwordHash: String)?
    /// Stores a session by the digest of its token, also clearing expired ones.
    func createSession(tokenDigest: Data, userId: UUID, expiresAt: Date) async throws
    /// The user of an unexpired session.
    func user(sessionDigest: Data) async throws -> ConsoleUser?
    /// Ends a session.
    func deleteSession(tokenDigest: Data) async throws
}

/// Why `createOrganization` refused.
enum AccountConflict: Error, Equatable {
    case emailExists
    case organizationExists
}
