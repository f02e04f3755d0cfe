import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// A member as the members list shows them.
struct MemberView: ResponseEncodable, Sendable, Equatable {
    let id: String
    let email: String
    let role: ConsoleRole
    let twoFactorEnabled: Bool
    let joinedAt: Date
    let lastSignInAt: Date?
}

/// A pending invitation; `invitationUrl` only in the answer that made it.
struct InvitationView: ResponseEncodable, Sendable, Equatable {
    let id: String
    let email: String
    let role: ConsoleRole
    let createdAt: Date
    let expiresAt: Date
    var invitationUrl: String? = nil
}

/// What a change to the members refused, beyond a 403 (`ConsoleRole.forbidden`).
enum MemberChangeError: Error {
    case notFound
    case lastOwner
    case emailExists
}

extension ConsoleAccountRepository {
    /// How long an invitation works.
    static let invitationLifetimeSeconds = 72 * 3600

    /// The organization's members, earliest first.
    func members(organizationId: UUID) async throws -> [MemberView] {
        let rows = try await client.query(
            """
            SELECT id, email, role, two_factor_enabled_at IS NOT NULL, created_at, last_sign_in_at FROM console_users
            WHERE organization_id = \(organizationId) AND removed_at IS NULL ORDER BY created_at, id
            """,
            logger: logger
        )
        var members: [MemberView] = []
        for try await row in rows {
            let cells = Array(row)
            members.append(
                MemberView(
                    id: try cells[0].decode(UUID.self).apiString, email: try cells[1].decode(String.self),
                    role: try cells[2].decodeEnum(ConsoleRole.self),
                    twoFactorEnabled: try cells[3].decode(Bool.self), joinedAt: try cells[4].decode(Date.self),
                    lastSignInAt: try cells[5].decode(Date?.self)))
        }
        return members
    }

    /// Changes of an organization's members run one at a time (its row locked), with the
    /// actor's role as it is now: two OWNERs demoting each other at once cannot leave none.
    private func changingMembers<Result: Sendable>(
        of actor: ConsoleUser, _ body: (PostgresConnection, ConsoleRole) async throws -> Result
    ) async throws -> Result {
        try await client.transaction(logger: logger) { connection in
            try await connection.query("SELECT 1 FROM organizations WHERE id = \(actor.organizationId) FOR UPDATE", logger: logger)
            let role = try await connection.query(
                "SELECT role FROM console_users WHERE id = \(actor.id) AND removed_at IS NULL", logger: logger
            ).collect().first.map { try $0.makeRandomAccess()[0].decodeEnum(ConsoleRole.self) }
            guard let role else { throw MemberChangeError.notFound }
            return try await body(connection, role)
        }
    }

    /// The role of the organization's member `id`, under the organization's lock.
    private func role(of id: UUID, organizationId: UUID, _ connection: PostgresConnection) async throws -> ConsoleRole? {
        try await connection.query(
            "SELECT role FROM console_users WHERE id = \(id) AND organization_id = \(organizationId) AND removed_at IS NULL", logger: logger
        ).collect().first.map { try $0.makeRandomAccess()[0].decodeEnum(ConsoleRole.self) }
    }

    private func owners(organizationId: UUID, _ connection: PostgresConnection) async throws -> Int {
        try await connection.query(
            "SELECT count(*) FROM console_users WHERE organization_id = \(organizationId) AND role = 'OWNER' AND removed_at IS NULL",
            logger: logger
        ).collect().first?.decode(Int.self) ?? 0
    }

    /// Gives member `id` a new role, with `member.role_changed`; returns their old role.
    func changeRole(of id: UUID, to newRole: ConsoleRole, actor: ConsoleUser) async throws -> ConsoleRole {
        try await changingMembers(of: actor) { connection, actorRole in
            guard let current = try await role(of: id, organizationId: actor.organizationId, connection) else { throw MemberChangeError.notFound }
            let reach = max(current, newRole)
            guard actorRole.mayManage(reach) else {
                throw ConsoleRole.forbidden(requiredRole: ConsoleRole.leastManaging(reach), "changing a role to or from \(reach.rawValue)")
            }
            guard current != newRole else { return current }
            if current == .OWNER, try await owners(organizationId: actor.organizationId, connection) == 1 { throw MemberChangeError.lastOwner }
            try await connection.query("UPDATE console_users SET role = \(newRole.rawValue) WHERE id = \(id)", logger: logger)
            try await AuditTrail.record(
                connection, organizationId: actor.organizationId, actor: actor.id, action: "member.role_changed", subject: id,
                details: ["from": current.rawValue, "to": newRole.rawValue], logger: logger)
            return current
        }
    }

    /// Removes member `id`: their sessions, challenges and codes end at once; the row stays,
    /// marked, so that the keys they created keep their `createdBy`. With `member.removed`.
    func remove(_ id: UUID, actor: ConsoleUser) async throws {
        try await changingMembers(of: actor) { connection, actorRole in
            guard let current = try await role(of: id, organizationId: actor.organizationId, connection) else { throw MemberChangeError.notFound }
            guard actorRole.mayManage(current) else {
                throw ConsoleRole.forbidden(requiredRole: ConsoleRole.leastManaging(current), "removing a member who is \(current.rawValue)")
            }
            if current == .OWNER, try await owners(organizationId: actor.organizationId, connection) == 1 { throw MemberChangeError.lastOwner }
            try await connection.query(
                "UPDATE console_users SET removed_at = now(), totp_pending = NULL WHERE id = \(id)", logger: logger)
            try await connection.query("DELETE FROM console_sessions WHERE user_id = \(id)", logger: logger)
            try await connection.query("DELETE FROM console_sign_in_challenges WHERE user_id = \(id)", logger: logger)
            try await connection.query("DELETE FROM console_recovery_codes WHERE user_id = \(id)", logger: logger)
            try await AuditTrail.record(
                connection, organizationId: actor.organizationId, actor: actor.id, action: "member.removed", subject: id,
                details: ["role": current.rawValue], logger: logger)
        }
    }

    /// Whether a member anywhere has this email.
    private func emailTaken(_ email: String, _ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT 1 FROM console_users WHERE email_fold = \(EmailAddress.fold(email)) AND removed_at IS NULL", logger: logger
        ).collect()
        return !rows.isEmpty
    }

    /// Invites `email` as `role`, replacing a pending invitation of the same email to the same
    /// organization; the token is stored as its digest. With `member.invited`.
    func invite(email: String, role: ConsoleRole, tokenDigest: Data, actor: ConsoleUser) async throws -> InvitationView {
        try await changingMembers(of: actor) { connection, actorRole in
            guard actorRole.mayManage(role) else {
                throw ConsoleRole.forbidden(requiredRole: ConsoleRole.leastManaging(role), "inviting a member as \(role.rawValue)")
            }
            if try await emailTaken(email, connection) { throw MemberChangeError.emailExists }
            try await connection.query(
                """
                UPDATE console_invitations SET cancelled_at = now()
                WHERE organization_id = \(actor.organizationId) AND email_fold = \(EmailAddress.fold(email))
                  AND accepted_at IS NULL AND cancelled_at IS NULL
                """,
                logger: logger
            )
            let id = UUID()
            let row = try await connection.query(
                """
                INSERT INTO console_invitations (id, organization_id, email, email_fold, role, token_digest, invited_by, expires_at)
                VALUES (\(id), \(actor.organizationId), \(email), \(EmailAddress.fold(email)), \(role.rawValue), \(tokenDigest), \(actor.id),
                        date_trunc('second', now()) + make_interval(secs => \(Self.invitationLifetimeSeconds)))
                RETURNING created_at, expires_at
                """,
                logger: logger
            ).collect().first
            let (createdAt, expiresAt) = try row?.decode((Date, Date).self) ?? (Date(), Date())
            try await AuditTrail.record(
                connection, organizationId: actor.organizationId, actor: actor.id, action: "member.invited",
                details: ["email": email, "role": role.rawValue, "invitationId": id.apiString], logger: logger)
            return InvitationView(id: id.apiString, email: email, role: role, createdAt: createdAt, expiresAt: expiresAt)
        }
    }

    /// The organization's invitations that can still be accepted, newest first.
    func pendingInvitations(organizationId: UUID) async throws -> [InvitationView] {
        let rows = try await client.query(
            """
            SELECT id, email, role, created_at, expires_at FROM console_invitations
            WHERE organization_id = \(organizationId) AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > now()
            ORDER BY created_at DESC, id
            """,
            logger: logger
        )
        var invitations: [InvitationView] = []
        for try await row in rows {
            let cells = Array(row)
            invitations.append(
                InvitationView(
                    id: try cells[0].decode(UUID.self).apiString, email: try cells[1].decode(String.self),
                    role: try cells[2].decodeEnum(ConsoleRole.self),
                    createdAt: try cells[3].decode(Date.self), expiresAt: try cells[4].decode(Date.self)))
        }
        return invitations
    }

    /// Cancels a pending invitation, with `invitation.cancelled`.
    func cancelInvitation(_ id: UUID, actor: ConsoleUser) async throws {
        try await changingMembers(of: actor) { connection, actorRole in
            let row = try await connection.query(
                """
                SELECT role, email FROM console_invitations WHERE id = \(id) AND organization_id = \(actor.organizationId)
                  AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > now()
                """,
                logger: logger
            ).collect().first
            guard let row else { throw MemberChangeError.notFound }
            let cells = row.makeRandomAccess()
            let role = try cells[0].decodeEnum(ConsoleRole.self)
            guard actorRole.mayManage(role) else {
                throw ConsoleRole.forbidden(requiredRole: ConsoleRole.leastManaging(role), "cancelling an invitation as \(role.rawValue)")
            }
            try await connection.query("UPDATE console_invitations SET cancelled_at = now() WHERE id = \(id)", logger: logger)
            try await AuditTrail.record(
                connection, organizationId: actor.organizationId, actor: actor.id, action: "invitation.cancelled",
                details: ["email": try cells[1].decode(String.self), "role": role.rawValue, "invitationId": id.apiString], logger: logger)
        }
    }

    /// Accepts the invitation with this token's digest: the person becomes a member with the
    /// invited role, with `member.joined`. Each token works once (its row is locked and marked).
    func acceptInvitation(tokenDigest: Data, passwordHash: String) async throws -> ConsoleUser {
        do {
            return try await client.transaction(logger: logger) { connection in
                let row = try await connection.query(
                    """
                    SELECT id, organization_id, email, role, invited_by FROM console_invitations
                    WHERE token_digest = \(tokenDigest) AND accepted_at IS NULL AND cancelled_at IS NULL AND expires_at > now()
                    FOR UPDATE
                    """,
                    logger: logger
                ).collect().first
                guard let row else { throw MemberChangeError.notFound }
                let (invitationId, organizationId, email, role, invitedBy) = try row.decode((UUID, UUID, String, String, UUID?).self)
                let userId = UUID()
                try await connection.query(
                    """
                    INSERT INTO console_users (id, organization_id, email, email_fold, password_hash, role)
                    VALUES (\(userId), \(organizationId), \(email), \(EmailAddress.fold(email)), \(passwordHash), \(role))
                    """,
                    logger: logger
                )
                try await connection.query("UPDATE console_invitations SET accepted_at = now() WHERE id = \(invitationId)", logger: logger)
                try await AuditTrail.record(
                    connection, organizationId: organizationId, actor: userId, action: "member.joined", subject: userId,
                    details: ["role": role, "invitationId": invitationId.apiString, "invitedBy": invitedBy?.apiString ?? ""], logger: logger)
                let member = try await connection.query(
                    "SELECT \(unescaped: Self.memberColumns) FROM \(unescaped: Self.memberSource) WHERE u.id = \(userId)", logger: logger
                ).collect().first
                guard let member else { throw MemberChangeError.notFound }
                return try Self.member(member)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Someone else took the email since the invitation was made.
            throw MemberChangeError.emailExists
        }
    }
}
