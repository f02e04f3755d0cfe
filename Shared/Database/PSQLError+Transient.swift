import PostgresNIO

extension PSQLError {
    /// Whether PostgreSQL failed for a reason of its own that passes: a lost or refused
    /// connection (SQLSTATE class 08), an operator's or a crash's shutdown and a cancelled
    /// statement (class 57, 57P01 "terminating connection due to administrator command"
    /// among them), exhausted resources such as connections (class 53), or a serialization
    /// failure or deadlock (40001, 40P01). A retry later may well succeed: 503, never 500.
    public var isTransientServerFailure: Bool {
        guard let state = serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53") || state == "40001" || state == "40P01"
    }
}
