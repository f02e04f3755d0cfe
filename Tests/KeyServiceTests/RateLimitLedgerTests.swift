import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import KeyService

/// The ledger behind rate limits, in both its stores (the key service's PostgreSQL, and Redis
/// with `RATE_LIMIT_STORE`): leases never add up to more than a window's limit, however many
/// instances ask at once.
@Suite("Rate-limit leases never grant more than a window's limit")
struct RateLimitLedgerTests {
    /// Where the ledger is kept.
    enum Store: String, CaseIterable, Sendable {
        case postgres, redis

        /// The key service's settings for this store.
        func environment() throws -> [String: String] {
            switch self {
            case .postgres: [:]
            case .redis: ["RATE_LIMIT_STORE": try TestRedis.url()]
            }
        }
    }

    static let basic = "Basic " + Data("\(KeyServiceHarness.clientId):\(KeyServiceHarness.clientSecret)".utf8).base64EncodedString()

    /// Asks for a lease as a resource service does.
    static func lease(
        _ client: KeyServiceHarness.Client, key: UUID, second: Int64, want: Int, perSecond: Int?, perMinute: Int?, credentials: String? = basic
    ) async throws -> TestResponse {
        var body: [String: any Sendable] = ["keyId": key.uuidString, "second": Int(second), "want": want]
        if let perSecond { body["perSecond"] = perSecond }
        if let perMinute { body["perMinute"] = perMinute }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let credentials { headers[.authorization] = credentials }
        return try await client.client.execute(uri: "/internal/rate-limits/lease", method: .post, headers: headers, body: json(body))
    }

    @Test(arguments: Store.allCases) func concurrentLeasesShareOneSecondAndOneMinuteExactly(store: Store) async throws {
        try await KeyServiceHarness(environment: store.environment()).run { client in
            let key = UUID()
            // The next second, which the ledger accepts for about two seconds, however slow the machine.
            let second = Int64(Date().timeIntervalSince1970) + 1
            // 40 instances ask for 1 each in the same second: exactly 10 get one.
            let granted = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        let answer = try await Self.lease(client, key: key, second: second, want: 1, perSecond: 10, perMinute: 25)
                        return answer.status == .ok ? (json(answer)["granted"] as? Int ?? -100) : -100
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(granted.reduce(0, +) == 10 && granted.allSatisfy { $0 == 0 || $0 == 1 }, "\(granted)")

            // Two seconds of another key: 10 each, unless both fall in one minute, which then caps them at 15.
            let other = UUID()
            let first = Int64(Date().timeIntervalSince1970)
            let one = try await Self.lease(client, key: other, second: first, want: 30, perSecond: 10, perMinute: 15)
            #expect(json(one)["granted"] as? Int == 10, "\(String(buffer: one.body))")
            let sameMinute = (first + 1) / 60 == first / 60
            let two = try await Self.lease(client, key: other, second: first + 1, want: 30, perSecond: 10, perMinute: 15)
            #expect(json(two)["granted"] as? Int == (sameMinute ? 5 : 10), "\(String(buffer: two.body))")
            #expect(json(two)["secondUsed"] as? Int == (sameMinute ? 5 : 10))
            #expect(json(two)["minuteUsed"] as? Int == (sameMinute ? 15 : 10))

            // A third key has its own budget; no limit at all grants what is asked.
            let now = Int64(Date().timeIntervalSince1970)
            let third = try await Self.lease(client, key: UUID(), second: now, want: 7, perSecond: 10, perMinute: 25)
            #expect(json(third)["granted"] as? Int == 7, "\(String(buffer: third.body))")
            let unlimited = try await Self.lease(client, key: UUID(), second: now, want: 900, perSecond: nil, perMinute: nil)
            #expect(json(unlimited)["granted"] as? Int == 900)
        }
    }

    @Test(arguments: Store.allCases) func leasesNeedCredentialsAndSaneWindows(store: Store) async throws {
        try await KeyServiceHarness(environment: store.environment()).run { client in
            let now = Int64(Date().timeIntervalSince1970)
            let anonymous = try await Self.lease(client, key: UUID(), second: now, want: 1, perSecond: 10, perMinute: nil, credentials: nil)
            #expect(anonymous.status == .unauthorized)
            for (second, want, perSecond) in [(now - 30, 1, 10), (now + 10, 1, 10), (now, 0, 10), (now, 5000, 10), (now, 1, 0)] {
                let refused = try await Self.lease(client, key: UUID(), second: second, want: want, perSecond: perSecond, perMinute: nil)
                #expect(refused.status == .badRequest && apiError(refused)?.code == "VALIDATION_ERROR", "\(second - now) \(want) \(perSecond)")
            }
        }
    }
}
