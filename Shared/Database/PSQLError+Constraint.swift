import PostgresNIO

extension PSQLError {
    /// Whether this is a unique violation (SQLSTATE 23505) of `constraint`.
    public func isUniqueViolation(of constraint: String) -> Bool {
        serverInfo?[.sqlState] == "23505" && serverInfo?[.constraintName] == constraint
    }

    /// Whether PostgreSQL refused a text it cannot store (SQLSTATE 22021, a NUL character or an
    /// invalid byte sequence): the client's input, never the server's fault.
    public var isUnstorableText: Bool {
        serverInfo?[.sqlState] == "22021"
    }

    /// Whether this is a foreign-key violation (SQLSTATE 23503) of `constraint`.
    public func isForeignKeyViolation(of constraint: String) -> Bool {
        serverInfo?[.sqlState] == "23503" && serverInfo?[.constraintName] == constraint
    }
}
