import Foundation
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

/// Every console user has a role: the ones from before roles existed are their organization's
/// OWNER, and no insert can leave the role out (the column has no default after migrating).
@Suite("Migrating gives every existing console user the OWNER role")
struct ConsoleRoleMigrationTests {
    @Test func existingUsersBecomeOwnersAndNewOnesMustSayTheirRole() async throws {
        let url = try await TestDatabase.create()
        let logger = Logger(label: "test")
        try await TestDatabase.withClient(url) { postgres in
            let before = KeyServiceMigrations.all.filter { $0.version < 10 }
            try await MigrationRunner(client: postgres, migrations: before, logger: logger).migrate()
            let organization = UUID()
            try await postgres.query("INSERT INTO organizations (id, name) VALUES (\(organization), 'Before roles')", logger: logger)
            try await postgres.query(
                """
                INSERT INTO console_users (id, organization_id, email, email_fold, password_hash)
                VALUES (\(UUID()), \(organization), 'first@example.com', 'first@example.com', 'x')
                """,
                logger: logger
            )
            try await MigrationRunner(client: postgres, migrations: KeyServiceMigrations.all, logger: logger).migrate()
            let roles = try await postgres.query("SELECT role FROM console_users", logger: logger).collect().map { try $0.decode(String.self) }
            #expect(roles == ["OWNER"])
            await #expect(throws: PSQLError.self) {
                try await postgres.query(
                    """
                    INSERT INTO console_users (id, organization_id, email, email_fold, password_hash)
                    VALUES (\(UUID()), \(organization), 'second@example.com', 'second@example.com', 'x')
                    """,
                    logger: logger
                )
            }
            await #expect(throws: PSQLError.self) {
                try await postgres.query(
                    """
                    INSERT INTO console_users (id, organization_id, email, email_fold, password_hash, role)
                    VALUES (\(UUID()), \(organization), 'third@example.com', 'third@example.com', 'x', 'SUPERUSER')
                    """,
                    logger: logger
                )
            }
            // create-admin's own insert makes an OWNER.
            let created = try await ConsoleAccountRepository(client: postgres, logger: logger)
                .createOrganization(name: "After roles", adminEmail: "owner@example.com", passwordHash: "x")
            let role = try await postgres.query("SELECT role FROM console_users WHERE id = \(created.userId)", logger: logger).collect()
                .map { try $0.decode(String.self) }
            #expect(role == ["OWNER"])
        }
        #expect(ConsoleRole.OWNER > .ADMIN && ConsoleRole.ADMIN > .DEVELOPER && ConsoleRole.DEVELOPER > .VIEWER)
    }
}
