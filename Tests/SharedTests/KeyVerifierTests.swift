import Foundation
import HTTPTypes
import Shared
import Synchronization
import Testing

/// Counts calls and answers as told; the key service is tested for real elsewhere, this pins
/// down the cache's own behaviour (how many calls reach the key service).
final class CountingIntrospector: KeyIntrospector {
    let calls = Mutex(0)
    let delay: Duration
    let answer: @Sendable (APIKeyToken) throws -> VerifiedKey?

    init(delay: Duration = .zero, answer: @escaping @Sendable (APIKeyToken) throws -> VerifiedKey?) {
        self.delay = delay
        self.answer = answer
    }

    var count: Int { calls.withLock { $0 } }

    func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? {
        calls.withLock { $0 += 1 }
        if delay > .zero { try await Task.sleep(for: delay) }
        return try answer(token)
    }
}

@Suite("Key verification cache")
struct KeyVerifierTests {
    static let key = VerifiedKey(keyId: UUID(), organizationId: UUID(), scopes: [.jobsRead])

    @Test func aHitMakesNoIntrospectionCall() async throws {
        let introspector = CountingIntrospector { _ in Self.key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        for _ in 0..<100 {
            #expect(try await verifier.verify(token, requestId: "r") == Self.key)
        }
        #expect(introspector.count == 1)
    }

    @Test func concurrentMissesShareOneCall() async throws {
        let introspector = CountingIntrospector(delay: .milliseconds(200)) { _ in Self.key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        let answers = try await withThrowingTaskGroup(of: VerifiedKey?.self) { group in
            for _ in 0..<50 { group.addTask { try await verifier.verify(token, requestId: "r") } }
            return try await group.reduce(into: [VerifiedKey?]()) { $0.append($1) }
        }
        #expect(answers.count == 50 && answers.allSatisfy { $0 == Self.key })
        #expect(introspector.count == 1)
    }

    @Test func anEntryExpiresAfterItsLifetime() async throws {
        let revoked = Mutex(false)
        let introspector = CountingIntrospector { _ in revoked.withLock { $0 } ? nil : Self.key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(2), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        #expect(try await verifier.verify(token, requestId: "r") == Self.key)
        revoked.withLock { $0 = true }
        #expect(try await verifier.verify(token, requestId: "r") == Self.key)  // still cached
        try await Task.sleep(for: .milliseconds(2100))
        #expect(try await verifier.verify(token, requestId: "r") == nil)
        #expect(introspector.count == 2)
    }

    @Test func inactiveAnswersAreCachedToo() async throws {
        let introspector = CountingIntrospector { _ in nil }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        for _ in 0..<10 { #expect(try await verifier.verify(token, requestId: "r") == nil) }
        #expect(introspector.count == 1)
    }

    @Test func failuresAreNotCachedAndSurfaceAsErrors() async throws {
        let failing = Mutex(true)
        let introspector = CountingIntrospector { _ in
            if failing.withLock({ $0 }) { throw InternalCallFailure.timedOut }
            return Self.key
        }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        await #expect(throws: InternalCallFailure.timedOut) { try await verifier.verify(token, requestId: "r") }
        failing.withLock { $0 = false }
        #expect(try await verifier.verify(token, requestId: "r") == Self.key)
        #expect(introspector.count == 2)
    }

    @Test func theCacheIsBoundedAndDropsTheOldestFirst() async throws {
        let introspector = CountingIntrospector { _ in Self.key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 100, metrics: ServiceMetrics())
        let tokens = (0..<250).map { _ in APIKeyToken.generate() }
        for token in tokens { _ = try await verifier.verify(token, requestId: "r") }
        #expect(verifier.count == 100)
        // The newest are still cached; the oldest were evicted and cost a call again.
        _ = try await verifier.verify(tokens[249], requestId: "r")
        #expect(introspector.count == 250)
        _ = try await verifier.verify(tokens[0], requestId: "r")
        #expect(introspector.count == 251)
    }

    @Test func hitsMissesAndFailuresAreCounted() async throws {
        let metrics = ServiceMetrics()
        let verifier = KeyVerifier(introspector: CountingIntrospector { _ in Self.key }, ttl: .seconds(60), maxEntries: 10, metrics: metrics)
        let token = APIKeyToken.generate()
        for _ in 0..<3 { _ = try await verifier.verify(token, requestId: "r") }
        let text = metrics.exposition()
        #expect(text.contains("auth_cache_hits_total 2"))
        #expect(text.contains("auth_cache_misses_total 1"))
        #expect(text.contains("auth_introspection_duration_seconds_count 1"))
    }
}

@Suite("Reading bearer credentials and introspection answers")
struct BearerAndAnswerTests {
    @Test func onlyAWellFormedBearerKeyIsAToken() {
        let key = APIKeyToken.generate().value
        func read(_ values: [String]) -> String {
            var headers = HTTPFields()
            for value in values { headers.append(HTTPField(name: .authorization, value: value)) }
            return switch BearerCredentials.read(headers) {
            case .missing: "missing"
            case .malformed: "malformed"
            case .token: "token"
            }
        }
        #expect(read([]) == "missing")
        #expect(read(["Basic abc"]) == "missing")
        #expect(read(["Bearer \(key)"]) == "token")
        #expect(read(["BEARER  \(key)"]) == "token")
        // A trailing space is optional whitespace around the field value (RFC 9110 §5.5), not part of it.
        #expect(read(["Bearer \(key) "]) == "token")
        #expect(read(["Bearer \(key) x"]) == "malformed")
        // Another last character (never the same one: that would be the key itself).
        #expect(read(["Bearer \(key.dropLast())\(key.last == "x" ? "y" : "x")"]) == "malformed")
        #expect(read(["Bearer \(key)", "Bearer \(key)"]) == "malformed")
    }

    @Test func anActiveAnswerMustNameItsKeyAndOrganization() throws {
        let keyId = UUID()
        let orgId = UUID()
        let good = #"{"active":true,"scope":"jobs:read bogus","client_id":"\#(keyId)","org_id":"\#(orgId)","token_type":"api_key","iat":1}"#
        let parsed = try HTTPKeyIntrospector.parseAnswer(Data(good.utf8))
        #expect(parsed == VerifiedKey(keyId: keyId, organizationId: orgId, scopes: [.jobsRead]))
        #expect(try HTTPKeyIntrospector.parseAnswer(Data(#"{"active":false}"#.utf8)) == nil)
        for bad in [
            "", "null", "[]", #"{"active":"yes"}"#, #"{"active":true}"#,
            #"{"active":true,"client_id":"x","org_id":"\#(orgId)","token_type":"api_key"}"#,
            #"{"active":true,"client_id":"\#(keyId)","org_id":"\#(orgId)","token_type":"access_token"}"#,
        ] {
            #expect(throws: InternalCallFailure.self, "\(bad)") { try HTTPKeyIntrospector.parseAnswer(Data(bad.utf8)) }
        }
    }
}

@Suite("Dropping revoked keys from the cache")
struct KeyInvalidationTests {
    @Test func anInvalidatedKeyIsAskedAgain() async throws {
        let revoked = Mutex(false)
        let key = KeyVerifierTests.key
        let introspector = CountingIntrospector { _ in revoked.withLock { $0 } ? nil : key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        #expect(try await verifier.verify(token, requestId: "r") == key)
        revoked.withLock { $0 = true }
        verifier.invalidate(keyId: key.keyId)
        #expect(try await verifier.verify(token, requestId: "r") == nil)
        #expect(introspector.count == 2)
    }

    @Test func anActiveAnswerThatArrivesAfterTheRevocationIsNotTrusted() async throws {
        let key = KeyVerifierTests.key
        let introspector = CountingIntrospector(delay: .milliseconds(300)) { _ in key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        async let answer = verifier.verify(token, requestId: "r")
        try await Task.sleep(for: .milliseconds(100))
        verifier.invalidate(keyId: key.keyId)
        #expect(try await answer == nil)
        #expect(try await verifier.verify(token, requestId: "r") == nil)
    }

    @Test func anAnswerOnItsWayDuringAFlushIsNotKeptAndLaterRequestsAskAgain() async throws {
        let revoked = Mutex(false)
        let key = KeyVerifierTests.key
        // The first answer was read before the revocation, and arrives after the flush.
        let introspector = CountingIntrospector(delay: .milliseconds(300)) { _ in revoked.withLock { $0 } ? nil : key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        async let early = verifier.verify(token, requestId: "r")
        try await Task.sleep(for: .milliseconds(100))
        revoked.withLock { $0 = true }
        verifier.removeAll()
        // A request after the flush does not wait for the answer already on its way.
        #expect(try await verifier.verify(token, requestId: "r") == nil)
        _ = try await early
        #expect(try await verifier.verify(token, requestId: "r") == nil)
        #expect(introspector.count == 2)
    }

    @Test func anExpiringKeyIsCachedNoLongerThanItsExpiry() async throws {
        let expiring = VerifiedKey(keyId: UUID(), organizationId: UUID(), scopes: [.jobsRead], expiresAt: Date().addingTimeInterval(0.5))
        let introspector = CountingIntrospector { _ in Date() < expiring.expiresAt! ? expiring : nil }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        #expect(try await verifier.verify(token, requestId: "r") == expiring)
        #expect(try await verifier.verify(token, requestId: "r") == expiring)
        #expect(introspector.count == 1)
        try await Task.sleep(for: .milliseconds(700))
        #expect(try await verifier.verify(token, requestId: "r") == nil)
        #expect(introspector.count == 2)
    }

    @Test func aChangedKeyIsAskedAgainAndStaysUsable() async throws {
        let key = KeyVerifierTests.key
        let introspector = CountingIntrospector { _ in key }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, metrics: ServiceMetrics())
        let token = APIKeyToken.generate()
        #expect(try await verifier.verify(token, requestId: "r") == key)
        verifier.forget(keyId: key.keyId)
        #expect(try await verifier.verify(token, requestId: "r") == key)
        #expect(try await verifier.verify(token, requestId: "r") == key)
        #expect(introspector.count == 2)
    }

    @Test func aFloodOfUnknownKeysNeverEvictsAnActiveOne() async throws {
        let active = KeyVerifierTests.key
        let known = APIKeyToken.generate()
        let introspector = CountingIntrospector { token in token.value == known.value ? active : nil }
        let verifier = KeyVerifier(introspector: introspector, ttl: .seconds(60), maxEntries: 10, maxInactiveEntries: 1000, metrics: ServiceMetrics())
        #expect(try await verifier.verify(known, requestId: "r") == active)
        for _ in 0..<200_000 {
            _ = try await verifier.verify(APIKeyToken.generate(), requestId: "r")
        }
        #expect(verifier.count == 1001 && verifier.activeCount == 1)
        let before = introspector.count
        #expect(try await verifier.verify(known, requestId: "r") == active)
        #expect(introspector.count == before, "the active key was asked again: the flood evicted it")
    }
}
