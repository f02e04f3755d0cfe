import HTTPTypes
import Shared

/// A person's role in their organization, from most to least trusted. Stored as its raw value
/// under a `CHECK` (migration 10). What each may do is the table in docs/api-guide.md
/// ("Members and roles"): each console route names its least role (`ConsoleRoutes`), and the
/// two rows that depend on what is acted on are `mayManage` and `APIKeyController`'s check of
/// who created a key.
enum ConsoleRole: String, CaseIterable, Sendable, Codable, Comparable {
    case OWNER
    case ADMIN
    case DEVELOPER
    case VIEWER

    /// Whether `self` may do at least what `other` may: OWNER > ADMIN > DEVELOPER > VIEWER.
    static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool {
        allCases.firstIndex(of: lhs)! > allCases.firstIndex(of: rhs)!
    }

    /// Whether a member of this role may invite, remove or change to or from `role`: an OWNER
    /// any role, an ADMIN DEVELOPERs and VIEWERs.
    func mayManage(_ role: ConsoleRole) -> Bool {
        switch self {
        case .OWNER: true
        case .ADMIN: role <= .DEVELOPER
        case .DEVELOPER, .VIEWER: false
        }
    }

    /// The least role that may manage `role`.
    static func leastManaging(_ role: ConsoleRole) -> ConsoleRole {
        role <= .DEVELOPER ? .ADMIN : .OWNER
    }

    /// 403 `FORBIDDEN` naming the least role that may.
    static func forbidden(requiredRole: ConsoleRole, _ what: String) -> APIError {
        APIError(
            .forbidden, code: "FORBIDDEN", message: "Your role does not allow this: \(what) needs \(requiredRole.rawValue) or above",
            requiredRole: requiredRole.rawValue)
    }

    /// The role named by a request body's field, or 400.
    static func parse(_ raw: String, field: String = "role") throws -> ConsoleRole {
        guard let role = ConsoleRole(rawValue: raw) else {
            throw APIError.invalidField(field, "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }
}
