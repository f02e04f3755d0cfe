import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@Suite("Migrations")
struct MigrationRunnerTests {
    static let migrations = [
        Migration(version: 1, name: "widgets", statements: ["CREATE TABLE widgets (id INT PRIMARY KEY)"]),
        Migration(
            version: 2, name: "widget names",
            statements: [
                "ALTER TABLE widgets ADD COLUMN name TEXT", "CREATE INDEX widgets_name_idx ON widgets (name)",
            ]),
    ]

    @Test func migrationsApplyOnceInOrder() async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url) { client in
            let runner = MigrationRunner(client: client, migrations: Self.migrations.reversed(), logger: Logger(label: "test"))
            #expect(try await runner.migrate() == [1, 2])
            #expect(try await runner.migrate() == [])
            try await client.query("INSERT INTO widgets (id, name) VALUES (1, 'a')")
            #expect(try await Self.appliedVersions(client) == [1, 2])
        }
    }

    @Test func aLaterMigrationIsAppliedOnTopOfEarlierOnes() async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url) { client in
            let logger = Logger(label: "test")
            let first = try await MigrationRunner(client: client, migrations: [Self.migrations[0]], logger: logger).migrate()
            let second = try await MigrationRunner(client: client, migrations: Self.migrations, logger: logger).migrate()
            #expect(first == [1])
            #expect(second == [2])
        }
    }

    @Test func replicasStartingTogetherApplyEachMigrationOnce() async throws {
        let url = try await TestDatabase.create()
        // Separate pools, as separate replicas would have.
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await TestDatabase.withClient(url) { client in
                        try await MigrationRunner(client: client, migrations: Self.migrations, logger: Logger(label: "test")).migrate()
                    }
                }
            }
            return try await group.reduce(into: [[Int]]()) { $0.append($1) }
        }
        #expect(applied.filter { !$0.isEmpty } == [[1, 2]])
        let versions = try await TestDatabase.withClient(url) { client in try await Self.appliedVersions(client) }
        #expect(versions == [1, 2])
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        let url = try await TestDatabase.create()
        try await TestDatabase.withClient(url) { client in
            let broken =
                Self.migrations + [Migration(version: 3, name: "broken", statements: ["CREATE TABLE gadgets (id INT)", "SELECT no_such_function()"])]
            await #expect(throws: PSQLError.self) {
                try await MigrationRunner(client: client, migrations: broken, logger: Logger(label: "test")).migrate()
            }
            let tables = try await client.query("SELECT count(*) FROM pg_tables WHERE tablename IN ('widgets', 'gadgets', 'schema_migrations')")
            for try await count in tables.decode(Int.self) { #expect(count == 0) }
        }
    }

    static func appliedVersions(_ client: PostgresClient) async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query("SELECT version FROM schema_migrations ORDER BY version").decode(Int.self) {
            versions.append(version)
        }
        return versions
    }
}
