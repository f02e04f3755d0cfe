/// An organization's plan (docs/api-guide.md, "Conventions"): it sets the request limits of each of its keys.
public enum Plan: String, Sendable, Codable, CaseIterable {
    case STARTER, PRO, BUSINESS, ENTERPRISE

    /// The published limits of the plan; Enterprise has none included (the operator sets them).
    public var standardLimits: (perSecond: Int, perMinute: Int)? {
        switch self {
        case .STARTER: (10, 500)
        case .PRO: (50, 2000)
        case .BUSINESS: (100, 5000)
        case .ENTERPRISE: nil
        }
    }
}

/// The limits that apply to one key: requests per second and per minute, across every service
/// and instance. `nil` means no limit of that kind.
public struct RateLimits: Sendable, Equatable {
    public let plan: Plan
    public let perSecond: Int?
    public let perMinute: Int?

    public init(plan: Plan, perSecond: Int?, perMinute: Int?) {
        self.plan = plan
        self.perSecond = perSecond
        self.perMinute = perMinute
    }

    /// No limit at all: an Enterprise organization without custom limits.
    public static let unlimited = RateLimits(plan: .ENTERPRISE, perSecond: nil, perMinute: nil)

    public var isUnlimited: Bool { perSecond == nil && perMinute == nil }
}
