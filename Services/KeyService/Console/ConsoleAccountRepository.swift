import Foundation
import Logging
import PostgresNIO
import Shared

/// Organizations, their members and the members' sessions, in PostgreSQL. Members and
/// invitations are in `ConsoleAccountRepository+Members.swift`, two-factor sign-in in
/// `+TwoFactor.swift`.
struct ConsoleAccountRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// The columns `member(_:)` reads, from `console_users u JOIN organizations o`.
    static let memberColumns = "u.id, u.email, o.id, o.name, u.role, u.two_factor_enabled_at IS NOT NULL, o.require_two_factor"
    static let memberSource = "console_users u JOIN organizations o ON o.id = u.organization_id"

    /// A member from the first seven columns of `row` (`memberColumns`).
    static func member(_ row: PostgresRow) throws -> ConsoleUser {
        let cells = Array(row)
        return ConsoleUser(
            id: try cells[0].decode(UUID.self), email: try cells[1].decode(String.self), organizationId: try cells[2].decode(UUID.self),
            organizationName: try cells[3].decode(String.self), role: try cells[4].decodeEnum(ConsoleRole.self),
            twoFactorEnabled: try cells[5].decode(Bool.self), organizationRequiresTwoFactor: try cells[6].decode(Bool.self)
        )
    }

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

    /// The member with this email (under `EmailAddress.fold`) and their bcrypt hash.
    func userForSignIn(email: String) async throws -> (ConsoleUser, passwordHash: String)? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.memberColumns), u.password_hash FROM \(unescaped: Self.memberSource)
            WHERE u.email_fold = \(EmailAddress.fold(email)) AND u.removed_at IS NULL
            """,
            logger: logger
        )
        for try await row in rows {
            return (try Self.member(row), try Array(row)[7].decode(String.self))
        }
        return nil
    }

    /// The member `id` (of the organization, when one is named), if they are one.
    func member(id: UUID, organizationId: UUID?) async throws -> ConsoleUser? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.memberColumns) FROM \(unescaped: Self.memberSource)
            WHERE u.id = \(id) AND (\(organizationId)::uuid IS NULL OR u.organization_id = \(organizationId)) AND u.removed_at IS NULL
            """,
            logger: logger
        )
        for try await row in rows { return try Self.member(row) }
        return nil
    }

    /// The organization's `requireTwoFactor`, changed by its OWNER, with `organization.updated`.
    func setRequireTwoFactor(_ required: Bool, actor: ConsoleUser) async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE organizations SET require_two_factor = \(required) WHERE id = \(actor.organizationId)", logger: logger)
            try await AuditTrail.record(
                connection, organizationId: actor.organizationId, actor: actor.id, action: "organization.updated",
                details: ["requireTwoFactor": String(required)], logger: logger)
        }
    }
}

/// Why `createOrganization` refused.
enum AccountConflict: Error, Equatable {
    case emailExists
    case organizationExists
}
