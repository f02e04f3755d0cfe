import Foundation
import Shared
import Synchronization

/// The key service in process, for router tests of the resource services: it issues keys,
/// answers introspection from memory, leases rate-limit budgets from an in-memory ledger and
/// publishes revocations on an in-memory log, all through the same protocols the HTTP clients
/// implement. The tests that are about processes meeting use the real executable instead.
public final class FakeKeyService: KeyIntrospector, RateLimitLeaser, RevocationSource, Sendable {
    struct State {
        var keys: [KeyDigest: VerifiedKey] = [:]
        var revoked: Set<UUID> = []
        var log: [RevocationPage.Event] = []
        var unavailable = false
        var introspections = 0
        var secondUsed: [String: Int] = [:]
        var minuteUsed: [String: Int] = [:]
    }

    let state = Mutex(State())

    public init() {}

    /// The three clients a resource service's `buildApplication` takes, all answered here.
    public var clients: KeyServiceClients {
        KeyServiceClients(introspector: self, leaser: self, revocations: self)
    }

    /// While true, every introspection fails as an unreachable key service would.
    public var isUnavailable: Bool {
        get { state.withLock { $0.unavailable } }
        set { state.withLock { $0.unavailable = newValue } }
    }

    /// How many introspections were asked for.
    public var introspectionCount: Int { state.withLock { $0.introspections } }

    /// A new organization, with the limits of `plan` (`["starter"]`, `["enterprise", "--per-second",
    /// "5"]`, as `key-service set-plan` takes them): Enterprise without limits by default.
    public func newOrganization(plan: [String] = ["enterprise"]) async throws -> FakeOrganization {
        FakeOrganization(service: self, organizationId: UUID(), limits: try Self.limits(plan))
    }

    /// Issues a key; returns its id and plaintext.
    func issue(organizationId: UUID, scopes: [String], limits: RateLimits) throws -> (id: String, key: String) {
        let parsed = try Scope.parseList(scopes)
        let token = APIKeyToken.generate()
        let key = VerifiedKey(keyId: UUID(), organizationId: organizationId, scopes: ScopeSet(parsed), rateLimits: limits)
        state.withLock { $0.keys[token.sha256] = key }
        return (key.keyId.apiString, token.value)
    }

    /// Revokes a key and publishes it on the revocation log, as the key service does.
    public func revoke(keyId: String) {
        guard let id = UUID(uuidString: keyId) else { return }
        state.withLock { state in
            guard state.revoked.insert(id).inserted else { return }
            state.log.append(.init(sequence: Int64(state.log.count + 1), keyId: id))
        }
    }

    public func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? {
        try state.withLock { state in
            state.introspections += 1
            if state.unavailable { throw InternalCallFailure.unreachable("the fake key service is unavailable") }
            guard let key = state.keys[token.sha256], !state.revoked.contains(key.keyId) else { return nil }
            return key
        }
    }

    public func lease(key: UUID, limits: RateLimits, second: Int64, want: Int, requestId: String) async -> RateLimitLease? {
        state.withLock { state in
            let secondKey = "\(key)-\(second)"
            let minuteKey = "\(key)-\(second - second % 60)"
            let secondUsed = state.secondUsed[secondKey, default: 0]
            let minuteUsed = state.minuteUsed[minuteKey, default: 0]
            let granted = max(0, min(want, (limits.perSecond ?? Int.max) - secondUsed, (limits.perMinute ?? Int.max) - minuteUsed))
            state.secondUsed[secondKey] = secondUsed + granted
            state.minuteUsed[minuteKey] = minuteUsed + granted
            return RateLimitLease(second: second, granted: granted, secondUsed: secondUsed + granted, minuteUsed: minuteUsed + granted)
        }
    }

    public func revocations(after cursor: Int64?, waitSeconds: Int, requestId: String) async throws -> RevocationPage {
        let deadline = ContinuousClock.now + .seconds(waitSeconds)
        while true {
            let page: RevocationPage = state.withLock { state in
                let latest = Int64(state.log.count)
                guard let cursor else { return RevocationPage(events: [], latest: latest, reset: false) }
                return RevocationPage(events: Array(state.log.dropFirst(Int(min(cursor, latest)))), latest: latest, reset: cursor > latest)
            }
            if cursor == nil || !page.events.isEmpty || page.reset || ContinuousClock.now >= deadline { return page }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    public func shutdown() async {}

    /// The limits `key-service set-plan` would give for these arguments.
    static func limits(_ plan: [String]) throws -> RateLimits {
        guard let name = plan.first, let parsed = Plan(rawValue: name.uppercased()) else { throw TestSetupError("unknown plan \(plan)") }
        if let standard = parsed.standardLimits {
            return RateLimits(plan: parsed, perSecond: standard.perSecond, perMinute: standard.perMinute)
        }
        func value(_ flag: String) -> Int? { plan.firstIndex(of: flag).flatMap { plan.indices.contains($0 + 1) ? Int(plan[$0 + 1]) : nil } }
        return RateLimits(plan: parsed, perSecond: value("--per-second"), perMinute: value("--per-minute"))
    }
}

/// An organization of the fake key service; the same calls as `TestOrganization`.
public struct FakeOrganization: Sendable {
    let service: FakeKeyService
    let organizationId: UUID
    let limits: RateLimits

    /// The organization's id, as the API writes it.
    public var id: String { organizationId.apiString }

    /// Issues a key with these scopes; returns its id and plaintext.
    public func key(_ scopes: [String]) async throws -> (id: String, key: String) {
        try service.issue(organizationId: organizationId, scopes: scopes, limits: limits)
    }

    /// A key holding every scope.
    public func keyWithEveryScope() async throws -> String {
        try await key(TestOrganization.allScopes).key
    }

    /// Revokes a key.
    public func revoke(_ id: String) async throws {
        service.revoke(keyId: id)
    }
}

/// An organization that issues keys: the real key service's (`TestOrganization`) or the fake's.
public protocol TestKeyOrganization: Sendable {
    var id: String { get }
    func key(_ scopes: [String]) async throws -> (id: String, key: String)
    func keyWithEveryScope() async throws -> String
    func revoke(_ id: String) async throws
}

extension TestOrganization: TestKeyOrganization {}
extension FakeOrganization: TestKeyOrganization {}

extension FakeKeyService {
    /// The organization a key issued here belongs to.
    public func organizationId(ofKey key: String) -> UUID? {
        guard let token = APIKeyToken(parsing: key) else { return nil }
        return state.withLock { $0.keys[token.sha256]?.organizationId }
    }
}
