import Foundation
import Logging
import PostgresNIO
import Shared

/// A console session as its person sees it in their list.
struct ConsoleSession: Sendable, Equatable {
    let id: UUID
    let createdAt: Date
    let lastSeenAt: Date
    let address: String?
    let userAgent: String?
}

extension ConsoleAccountRepository {
    /// How stale `last_seen_at` may be before a request writes it: a write a minute at most per session.
    static let lastSeenResolution = 60

    /// Stores a session by the digest of its token (clearing expired ones) and the member's sign-in time.
    func createSession(tokenDigest: Data, userId: UUID, expiresAt: Date, address: String, userAgent: String?) async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM console_sessions WHERE expires_at < now()", logger: logger)
            try await connection.query(
                """
                INSERT INTO console_sessions (token_digest, user_id, expires_at, client_address, user_agent)
                VALUES (\(tokenDigest), \(userId), \(expiresAt), \(address), \(userAgent))
                """,
                logger: logger
            )
            try await connection.query("UPDATE console_users SET last_sign_in_at = now() WHERE id = \(userId)", logger: logger)
        }
    }

    /// The member of an unexpired session, with the session's id; a member who was removed has
    /// no sessions left. Notes the session as seen, at most once a minute.
    func user(sessionDigest: Data) async throws -> ConsoleUser? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.memberColumns), s.id, s.last_seen_at < now() - make_interval(secs => \(Self.lastSeenResolution))
            FROM console_sessions s JOIN \(unescaped: Self.memberSource) ON u.id = s.user_id
            WHERE s.token_digest = \(sessionDigest) AND s.expires_at > now() AND u.removed_at IS NULL
            """,
            logger: logger
        )
        for try await row in rows {
            var member = try Self.member(row)
            let cells = Array(row)
            let sessionId = try cells[7].decode(UUID.self)
            member.sessionId = sessionId
            if try cells[8].decode(Bool.self) {
                try await client.query("UPDATE console_sessions SET last_seen_at = now() WHERE id = \(sessionId)", logger: logger)
            }
            return member
        }
        return nil
    }

    /// Ends a session by its token (signing out).
    func deleteSession(tokenDigest: Data) async throws {
        try await client.query("DELETE FROM console_sessions WHERE token_digest = \(tokenDigest)", logger: logger)
    }

    /// The member's unexpired sessions, most recently seen first.
    func sessions(of member: ConsoleUser) async throws -> [ConsoleSession] {
        let rows = try await client.query(
            """
            SELECT id, created_at, last_seen_at, client_address, user_agent FROM console_sessions
            WHERE user_id = \(member.id) AND expires_at > now() ORDER BY last_seen_at DESC, created_at DESC
            """,
            logger: logger
        )
        var sessions: [ConsoleSession] = []
        for try await (id, createdAt, lastSeenAt, address, userAgent) in rows.decode((UUID, Date, Date, String?, String?).self) {
            sessions.append(ConsoleSession(id: id, createdAt: createdAt, lastSeenAt: lastSeenAt, address: address, userAgent: userAgent))
        }
        return sessions
    }

    /// Ends the member's sessions `id` (one), or all but `except` (nil id), recording
    /// `session.revoked`; returns how many ended.
    func endSessions(of member: ConsoleUser, id: UUID?, except: UUID?) async throws -> Int {
        try await client.transaction(logger: logger) { connection in
            let ended = try await connection.query(
                """
                DELETE FROM console_sessions WHERE user_id = \(member.id)
                  AND (\(id)::uuid IS NULL OR id = \(id)) AND (\(except)::uuid IS NULL OR id <> \(except))
                RETURNING id
                """,
                logger: logger
            ).collect().count
            if ended > 0 {
                try await AuditTrail.record(
                    connection, organizationId: member.organizationId, actor: member.id, action: "session.revoked", subject: member.id,
                    details: ["sessions": String(ended)], logger: logger)
            }
            return ended
        }
    }

    /// The member's bcrypt hash, to check their current password.
    func passwordHash(of member: ConsoleUser) async throws -> String? {
        try await client.query("SELECT password_hash FROM console_users WHERE id = \(member.id)", logger: logger).collect().first?.decode(
            String.self)
    }

    /// Sets a new password and ends every other session of the member, with `password.changed`.
    /// Nil when the hash changed since `currentHash` was read (a concurrent change won).
    func changePassword(of member: ConsoleUser, from currentHash: String, to newHash: String) async throws -> Bool {
        try await client.transaction(logger: logger) { connection in
            let changed = try await connection.query(
                "UPDATE console_users SET password_hash = \(newHash) WHERE id = \(member.id) AND password_hash = \(currentHash) RETURNING id",
                logger: logger
            ).collect().count
            guard changed == 1 else { return false }
            let ended = try await connection.query(
                "DELETE FROM console_sessions WHERE user_id = \(member.id) AND id <> \(member.sessionId) RETURNING id", logger: logger
            ).collect().count
            try await AuditTrail.record(
                connection, organizationId: member.organizationId, actor: member.id, action: "password.changed", subject: member.id,
                details: ["sessionsEnded": String(ended)], logger: logger)
            return true
        }
    }
}
