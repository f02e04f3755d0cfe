/// A person's role in their organization, from most to least trusted. Stored as its raw value
/// under a `CHECK` (migration 10); the table of what each may do is the next step of the
/// members work.
enum ConsoleRole: String, CaseIterable, Sendable, Codable, Comparable {
    case OWNER
    case ADMIN
    case DEVELOPER
    case VIEWER

    /// Whether `self` may do at least what `other` may: OWNER > ADMIN > DEVELOPER > VIEWER.
    static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool {
        allCases.firstIndex(of: lhs)! > allCases.firstIndex(of: rhs)!
    }
}
