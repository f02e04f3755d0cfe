import Foundation
import Logging
import PostgresNIO
import Shared

/// A fresh database per test on the server `scripts/test` starts (`TEST_DATABASE_URL`).
public enum TestDatabase {
    /// The URL of a database on the test server whose user may create databases.
    public static var adminURL: String {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] ?? "postgres://evalyo_test:evalyo_test@127.0.0.1:5432/postgres"
    }

    /// Creates an empty database and returns its URL.
    public static func create() async throws -> String {
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        _ = try await withClient(adminURL) { client in
            try await client.query("CREATE DATABASE \(unescaped: name)")
        }
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        return components.string!
    }

    /// Runs `body` with a running client of the database at `url`.
    public static func withClient<T: Sendable>(_ url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try DatabaseURL.configuration(from: url, poolSize: 4))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
