import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction, committed if it returns and rolled back if it throws.
    /// Unlike `withTransaction`, it rethrows the error that caused the failure itself (a unique
    /// violation, an `APIError`), not a `PostgresTransactionError` around it, so callers can
    /// match on it; a failure of BEGIN or COMMIT comes out as the underlying `PSQLError`.
    public func transaction<Result: Sendable>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> Result {
        do {
            return try await self.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.beginError ?? error.commitError ?? error
        }
    }
}
