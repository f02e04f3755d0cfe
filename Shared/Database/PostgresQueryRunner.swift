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
    /// Runs `query` in the request's transaction when there is one (`RequestTransaction`), else on the pool.
    @discardableResult
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        if let connection = RequestTransaction.connection { return try await connection.query(query, logger: logger) }
        return try await self.query(query, logger: logger)
    }
}

extension PostgresConnection: PostgresQueryRunner {
    @discardableResult
    public func run(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try await self.query(query, logger: logger)
    }
}

extension PostgresClient {
    /// Runs a prepared statement in the request's transaction when there is one (`RequestTransaction`), else on the pool.
    public func run<Statement: PostgresPreparedStatement, Row>(
        _ statement: Statement, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, Row> where Row == Statement.Row {
        if let connection = RequestTransaction.connection { return try await connection.execute(statement, logger: logger) }
        return try await self.execute(statement, logger: logger)
    }
}
