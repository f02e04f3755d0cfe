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
        lhs.bit < rhs.bit
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
    public static func parseSpaceSeparated(_ text: String) -> ScopeSet {
        ScopeSet(text.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
    }

    /// The scope's bit in a `ScopeSet`, in the order of the cases (a switch: `allCases` is an
    /// array made at each use, and `contains` runs on every request).
    var bit: UInt32 {
        switch self {
        case .interviewsRead: 1 << 0
        case .interviewsWrite: 1 << 1
        case .candidatesRead: 1 << 2
        case .candidatesWrite: 1 << 3
        case .jobsRead: 1 << 4
        case .jobsWrite: 1 << 5
        case .campaignsRead: 1 << 6
        case .campaignsWrite: 1 << 7
        case .stagesRead: 1 << 8
        case .stagesWrite: 1 << 9
        case .testsRead: 1 << 10
        case .testsWrite: 1 << 11
        case .reportsRead: 1 << 12
        case .agentsRead: 1 << 13
        case .agentsWrite: 1 << 14
        case .webhooksRead: 1 << 15
        case .webhooksWrite: 1 << 16
        }
    }
}

/// A set of scopes in one word, as every cached key holds one: a `Set<Scope>` is a pointer to
/// storage of its own, about a hundred bytes a key more (docs/BENCHMARKS.md, "Memory per cached key").
public struct ScopeSet: Sequence, Equatable, Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    private var bits: UInt32 = 0

    public init(_ scopes: some Sequence<Scope>) {
        for scope in scopes { bits |= scope.bit }
    }

    public init(arrayLiteral scopes: Scope...) { self.init(scopes) }

    public func contains(_ scope: Scope) -> Bool { bits & scope.bit != 0 }

    public var isEmpty: Bool { bits == 0 }

    /// The scopes in `Scope.allCases` order.
    public func makeIterator() -> some IteratorProtocol<Scope> {
        Scope.allCases.lazy.filter { contains($0) }.makeIterator()
    }

    public var description: String { map(\.rawValue).joined(separator: " ") }
}
