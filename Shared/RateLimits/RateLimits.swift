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
///
/// Stored in 32 bits each (limits go to a million; `-1` is none), since every cached key and
/// every key the rate limiter follows holds one: 12 bytes where two `Int?` took 40 with the plan.
public struct RateLimits: Sendable, Equatable {
    public let plan: Plan
    private let second: Int32
    private let minute: Int32

    public init(plan: Plan, perSecond: Int?, perMinute: Int?) {
        self.plan = plan
        self.second = Self.stored(perSecond)
        self.minute = Self.stored(perMinute)
    }

    public var perSecond: Int? { second < 0 ? nil : Int(second) }
    public var perMinute: Int? { minute < 0 ? nil : Int(minute) }

    /// A limit past 32 bits is no limit in practice, and one below zero admits nothing, as zero does.
    private static func stored(_ limit: Int?) -> Int32 {
        guard let limit else { return -1 }
        return Int32(clamping: max(0, limit))
    }

    /// No limit at all: an Enterprise organization without custom limits.
    public static let unlimited = RateLimits(plan: .ENTERPRISE, perSecond: nil, perMinute: nil)

    public var isUnlimited: Bool { second < 0 && minute < 0 }
}
