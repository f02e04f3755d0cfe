import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction, committed if it returns and rolled back if it throws.
    /// Unlike `withTransaction`, it rethrows the error that caused the failure itself (a unique
    /// violation, an `APIError`), not a `PostgresTransactionError` around it, so callers can
    /// match on it; a failure of BEGIN or COMMIT comes out as the underlying `PSQLError`.
    ///
    /// Inside a request's transaction (`RequestTransaction`), it is a savepoint of that
    /// transaction instead: released if `body` returns, rolled back to if it throws, so the
    /// request's transaction goes on either way and commits (or not) as a whole.
    public func transaction<Result: Sendable>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> Result {
        if let connection = RequestTransaction.connection {
            return try await Self.savepoint(on: connection, logger: logger) { try await body(connection) }
        }
        do {
            return try await self.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }

    /// The read-modify-write of a PATCH, in one transaction: `read` fetches the row under a lock
    /// (`FOR UPDATE`), `change` computes the new value (and may throw a 4xx), `write` stores it.
    /// Nil when there is no such row.
    public func updateLocked<Model: Sendable>(
        logger: Logger,
        read: (PostgresConnection) async throws -> Model?,
        change: (Model) throws -> Model,
        write: (PostgresConnection, Model) async throws -> Void
    ) async throws -> Model? {
        try await transaction(logger: logger) { connection in
            guard let current = try await read(connection) else { return nil }
            let updated = try change(current)
            try await write(connection, updated)
            return updated
        }
    }

    /// `body` between `SAVEPOINT` and its release; on an error, rolled back to the savepoint
    /// (so the transaction can go on) and rethrown.
    public static func savepoint<Result: Sendable>(
        on connection: PostgresConnection, logger: Logger, _ body: () async throws -> sending Result
    ) async throws -> Result {
        try await connection.query("SAVEPOINT nested", logger: logger)
        let result: Result
        do {
            result = try await body()
        } catch {
            try await connection.query("ROLLBACK TO SAVEPOINT nested", logger: logger)
            throw error
        }
        try await connection.query("RELEASE SAVEPOINT nested", logger: logger)
        return result
    }
}
