import ArgumentParser
import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import PostgresNIO
import Shared

/// `key-service create-admin --org <name> --email <email> --password <password>` (docs/api-guide.md, "The console").
struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin",
        abstract: "Create an organization and its first console admin (reads DATABASE_URL).",
        discussion: "Exits 3 if the email or the organization already exists; nothing is created then."
    )

    /// Exit status when the email or organization exists, so scripts can tell it from a failure.
    static let alreadyExists = ExitCode(3)

    @Option(help: "Name of the new organization.") var org: String
    @Option(help: "Email of its first admin.") var email: String
    @Option(help: "Password of that admin (8 to 72 bytes).") var password: String

    func validate() throws {
        let name = org.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw ValidationError("--org must be 1 to 100 characters") }
        guard EmailAddress.parse(email) != nil, email.count <= 320 else { throw ValidationError("--email must be an email address") }
        guard (8...72).contains(password.utf8.count) else { throw ValidationError("--password must be 8 to 72 bytes (bcrypt's limit)") }
    }

    func run() async throws {
        let settings = try KeyServiceSettings(environment: Environment(), serving: false)
        var logger = Logger(label: "key-service")
        // Only real problems: the pool's start-up chatter would read like one to an operator.
        logger.logLevel = .error
        let postgres = try ServiceRuntime.makePostgresClient(configuration: settings.service, logger: logger)
        let hash = Bcrypt.hash(password, cost: UInt8(settings.bcryptCost))
        let org = self.org.trimmingCharacters(in: .whitespaces)
        let email = self.email.trimmingCharacters(in: .whitespaces)
        let result: (organizationId: UUID, userId: UUID)? = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(client: postgres, migrations: KeyServiceMigrations.all, logger: logger).migrate()
            let accounts = ConsoleAccountRepository(client: postgres, logger: logger)
            do {
                return try await accounts.createOrganization(name: org, adminEmail: email, passwordHash: hash)
            } catch AccountConflict.emailExists {
                Self.fail("a console user with email \(email) already exists; nothing was created")
                return nil
            } catch AccountConflict.organizationExists {
                Self.fail("an organization named \"\(org)\" already exists; nothing was created")
                return nil
            }
        }
        guard let (organizationId, userId) = result else { throw Self.alreadyExists }
        print("Created organization \"\(org)\" (\(organizationId.uuidString.lowercased())) with admin \(email) (\(userId.uuidString.lowercased())).")
    }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("key-service create-admin: \(message)\n".utf8))
    }
}
