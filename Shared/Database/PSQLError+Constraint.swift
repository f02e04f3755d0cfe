import PostgresNIO

extension PSQLError {
    /// Whether this is a unique violation (SQLSTATE 23505) of `constraint`.
    public func isUniqueViolation(of constraint: String) -> Bool {
        serverInfo?[.sqlState] == "23505" && serverInfo?[.constraintName] == constraint
    }

    /// Whether this is a foreign-key violation (SQLSTATE 23503) of `constraint`.
    public func isForeignKeyViolation(of constraint: String) -> Bool {
        serverInfo?[.sqlState] == "23503" && serverInfo?[.constraintName] == constraint
    }
}
