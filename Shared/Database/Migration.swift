/// One step of a service's schema: applied once, in order, inside the runner's transaction.
public struct Migration: Sendable {
    /// Increasing number that orders the migrations and records them as applied.
    public let version: Int
    public let name: String
    /// SQL statements run in order; each is one statement (the extended protocol takes no batches).
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
