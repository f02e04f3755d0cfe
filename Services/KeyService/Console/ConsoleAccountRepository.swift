import Foundation
import Logging
import PostgresNIO
import Shared

/// Organizations, console users and their sessions, in PostgreSQL.
struct ConsoleAccountRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Creates an organization and its first admin, an OWNER, together, or neither.
    func createOrganization(name: String, adminEmail: String, passwordHash: String) async throws -> (organizationId: UUID, userId: UUID) {
        let organizationId = UUID()
        let userId = UUID()
        do {
            try await client.transaction(logger: logger) { connection in
                try await connection.query("INSERT INTO organizations (id, name) VALUES (\(organizationId), \(name))", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO console_users (id, organization_id, email, email_fold, password_hash, role)
                    VALUES (\(userId), \(organizationId), \(adminEmail), \(EmailAddress.fold(adminEmail)), \(passwordHash), \(ConsoleRole.OWNER.rawValue))
                    """,
                    logger: logger
                )
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Unique violation: the constraint says which of the two already exists.
            throw error.serverInfo?[.constraintName] == "console_users_email_key" ? AccountConflict.emailExists : AccountConflict.organizationExists
        }
        return (organizationId, userId)
    }

    /// The user with this email (under `EmailAddress.fold`) and their bcrypt hash.
    func userForSignIn(email: String) async throws -> (ConsoleUser, passwordHash: String)? {
        let rows = try await client.query(
            """
            SELECT u.id, u.email, o.id, o.name, u.password_hash
            FROM console_users u JOIN organizations o ON o.id = u.organization_id
            WHERE u.email_fold = \(EmailAddress.fold(email))
            """,
            logger: logger
        )
        for try await (id, email, organizationId, organizationName, hash) in rows.decode((UUID, String, UUID, String, String).self) {
            return (ConsoleUser(id: id, email: email, organizationId: organizationId, organizationName: organizationName), hash)
        }
        return nil
    }

    /// Stores a session by the digest of its token, also clearing expired ones.
    func createSession(tokenDigest: Data, userId: UUID, expiresAt: Date) async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM console_sessions WHERE expires_at < now()", logger: logger)
            try await connection.query(
                "INSERT INTO console_sessions (token_digest, user_id, expires_at) VALUES (\(tokenDigest), \(userId), \(expiresAt))",
                logger: logger
            )
        }
    }

    /// The user of an unexpired session.
    func user(sessionDigest: Data) async throws -> ConsoleUser? {
        let rows = try await client.query(
            """
            SELECT u.id, u.email, o.id, o.name
            FROM console_sessions s
            JOIN console_users u ON u.id = s.user_id
            JOIN organizations o ON o.id = u.organization_id
            WHERE s.token_digest = \(sessionDigest) AND s.expires_at > now()
            """,
            logger: logger
        )
        for try await (id, email, organizationId, organizationName) in rows.decode((UUID, String, UUID, String).self) {
            return ConsoleUser(id: id, email: email, organizationId: organizationId, organizationName: organizationName)
        }
        return nil
    }

    /// Ends a session.
    func deleteSession(tokenDigest: Data) async throws {
        try await client.query("DELETE FROM console_sessions WHERE token_digest = \(tokenDigest)", logger: logger)
    }
}

/// Why `createOrganization` refused.
enum AccountConflict: Error, Equatable {
    case emailExists
    case organizationExists
}
