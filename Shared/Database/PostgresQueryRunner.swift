import Logging
import PostgresNIO

/// Something a query can run on: the pool, or one connection inside a transaction. Lets a
/// repository write a read once and use it both ways.
public protocol PostgresQueryRunner: Sendable {
    /// Runs `query` and returns its rows.
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence
}

extension PostgresClient: PostgresQueryRunner {
    @discardableResult
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresConnection: PostgresQueryRunner {
    @discardableResult
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}
