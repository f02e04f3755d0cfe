import Shared
import Testing

@Suite("Scopes")
struct ScopeTests {
    @Test func thereAreExactlyTheSeventeenScopesOfTheContract() {
        let expected: Set<String> = [
            "interviews:read", "interviews:write", "candidates:read", "candidates:write", "jobs:read", "jobs:write",
            "campaigns:read", "campaigns:write", "stages:read", "stages:write", "tests:read", "tests:write",
            "reports:read", "agents:read", "agents:write", "webhooks:read", "webhooks:write",
        ]
        #expect(Set(Scope.allCases.map(\.rawValue)) == expected)
        #expect(Scope.allCases.count == 17)
    }

    @Test func aListIsDeduplicatedAndOrdered() throws {
        let scopes = try Scope.parseList(["jobs:write", "interviews:read", "jobs:write"])
        #expect(scopes == [.interviewsRead, .jobsWrite])
    }

    @Test func unknownScopesAreNamedInTheDetails() throws {
        let error = try #require(throws: APIError.self) { try Scope.parseList(["jobs:read", "jobs:admin", "JOBS:READ"]) }
        #expect(error.status == .badRequest)
        #expect(error.code == "VALIDATION_ERROR")
        #expect(error.details.map(\.field) == ["scopes[1]", "scopes[2]"])
    }

    @Test func anEmptyListIsRefused() throws {
        let error = try #require(throws: APIError.self) { try Scope.parseList([]) }
        #expect(error.details == [.init(field: "scopes", message: "must list at least one scope")])
    }

    @Test func aWriteScopeDoesNotImplyItsReadScope() {
        #expect(Scope.parseSpaceSeparated("jobs:write") == [.jobsWrite])
        #expect(Scope.parseSpaceSeparated("jobs:read bogus  tests:read") == [.jobsRead, .testsRead])
    }

    /// A key's scopes are held in one word: each scope its own bit, nothing lost or added.
    @Test func aScopeSetHoldsEveryCombinationExactly() {
        let all = ScopeSet(Scope.allCases)
        #expect(Array(all) == Scope.allCases)
        for scope in Scope.allCases {
            let one: ScopeSet = [scope]
            #expect(Array(one) == [scope])
            #expect(Scope.allCases.filter { one.contains($0) } == [scope])
        }
        let some: ScopeSet = [.webhooksWrite, .interviewsRead, .jobsRead, .jobsRead]
        #expect(Array(some) == [.interviewsRead, .jobsRead, .webhooksWrite])
        #expect(some == [.jobsRead, .webhooksWrite, .interviewsRead] && some != [.jobsRead])
        #expect(ScopeSet([]).isEmpty && !some.isEmpty)
        #expect(Scope.allCases.sorted() == Scope.allCases)
    }

    @Test func limitsKeepTheirValuesInThirtyTwoBits() {
        let limits = RateLimits(plan: .ENTERPRISE, perSecond: 1_000_000, perMinute: nil)
        #expect(limits.perSecond == 1_000_000 && limits.perMinute == nil && !limits.isUnlimited)
        #expect(RateLimits.unlimited.perSecond == nil && RateLimits.unlimited.isUnlimited)
        #expect(RateLimits(plan: .ENTERPRISE, perSecond: .max, perMinute: 0).perSecond == Int(Int32.max))
        #expect(RateLimits(plan: .STARTER, perSecond: 0, perMinute: -5).perMinute == 0)
    }
}
