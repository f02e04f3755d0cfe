/// The seventeen scopes an API key can hold (docs/api-guide.md, "API keys"). A write scope does not imply its read scope.
public enum Scope: String, CaseIterable, Codable, Sendable, Comparable {
    case interviewsRead = "interviews:read"
    case interviewsWrite = "interviews:write"
    case candidatesRead = "candidates:read"
    case candidatesWrite = "candidates:write"
    case jobsRead = "jobs:read"
    case jobsWrite = "jobs:write"
    case campaignsRead = "campaigns:read"
    case campaignsWrite = "campaigns:write"
    case stagesRead = "stages:read"
    case stagesWrite = "stages:write"
    case testsRead = "tests:read"
    case testsWrite = "tests:write"
    case reportsRead = "reports:read"
    case agentsRead = "agents:read"
    case agentsWrite = "agents:write"
    case webhooksRead = "webhooks:read"
    case webhooksWrite = "webhooks:write"

    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a list of scope names: not empty, every one known; duplicates are folded.
    /// Throws a 400 whose details name each unknown entry.
    public static func parseList(_ names: [String], field: String = "scopes") throws -> [Scope] {
        guard !names.isEmpty else {
            throw APIError.invalidField(field, "must list at least one scope")
        }
        var scopes = Set<Scope>()
        var details: [APIError.Detail] = []
        for (index, name) in names.enumerated() {
            if let scope = Scope(rawValue: name) {
                scopes.insert(scope)
            } else {
                // The value is not echoed: a pasted key in the wrong field must not come back in an error.
                details.append(.init(field: "\(field)[\(index)]", message: "is not a known scope"))
            }
        }
        if !details.isEmpty {
            throw APIError.validation("Unknown scope; valid scopes are: \(allCases.map(\.rawValue).joined(separator: ", "))", details: details)
        }
        return scopes.sorted()
    }

    /// Parses the space-separated `scope` of an introspection answer (RFC 7662 §2.2), skipping unknown names.
    public static func parseSpaceSeparated(_ text: String) -> Set<Scope> {
        Set(text.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
    }
}
