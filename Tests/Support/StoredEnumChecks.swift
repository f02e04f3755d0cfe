import Foundation
import PostgresNIO

/// What the tests of stored data ask a service's database.
public enum StoredEnumChecks {
    /// The `CHECK` constraints of the database at `url`, by table, with their definitions.
    static func checkConstraints(_ url: String) async throws -> [String: [String]] {
        try await TestDatabase.withClient(url) { postgres in
            let rows = try await postgres.query(
                """
                SELECT c.conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c
                JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'c' AND n.nspname = 'public'
                """
            )
            var constraints: [String: [String]] = [:]
            for try await (table, definition) in rows.decode((String, String).self) {
                constraints[table, default: []].append(definition)
            }
            return constraints
        }
    }

    /// The `table.column` pairs of `columns` (table, column, the enum's values) whose database at
    /// `url` has no CHECK limiting them to exactly those values.
    public static func unchecked(_ url: String, _ columns: [(String, String, [String])]) async throws -> [String] {
        let constraints = try await checkConstraints(url)
        return columns.filter { !limits(constraints, table: $0.0, column: $0.1, to: $0.2) }.map { "\($0.0).\($0.1)" }
    }

    /// Whether `constraints` has a CHECK on `table` limiting `column` to exactly `values`.
    static func limits(_ constraints: [String: [String]], table: String, column: String, to values: [String]) -> Bool {
        (constraints[table] ?? []).contains { definition in
            definition.contains("(\(column) = ANY") && Set(Self.quoted(definition)) == Set(values)
        }
    }

    /// The single-quoted literals of a constraint definition.
    static func quoted(_ definition: String) -> [String] {
        definition.split(separator: "'", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
