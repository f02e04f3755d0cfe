import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import KeyService

/// The ledger behind rate limits: leases never add up to more than a window's limit, however
/// many instances ask at once.
@Suite("Rate-limit leases never grant more than a window's limit")
struct RateLimitLedgerTests {
    static let basic = "Basic " + Data("\(KeyServiceHarness.clientId):\(KeyServiceHarness.clientSecret)".utf8).base64EncodedString()

    /// Asks for a lease as a resource service does.
    static func lease(_ client: KeyServiceHarness.Client, key: UUID, second: Int64, want: Int, perSecond: Int?, perMinute: Int?, credentials: String? = basic) async throws -> TestResponse {
        var body: [String: any Sendable] = ["keyId": key.uuidString, "second": Int(second), "want": want]
        if let perSecond { body["perSecond"] = perSecond }
        if let perMinute { body["perMinute"] = perMinute }
        var headers: HTTPFields = [.contentType: "application/json"]
        if let credentials { headers[.authorization] = credentials }
        return try await client.client.execute(uri: "/internal/rate-limits/lease", method: .post, headers: headers, body: json(body))
    }

    @Test func concurrentLeasesShareOneSecondAndOneMinuteExactly() async throws {
        try await KeyServiceHarness().run { client in
            let key = UUID()
            let second = Int64(Date().timeIntervalSince1970)
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
            #expect(granted.reduce(0, +) == 10 && granted.allSatisfy { $0 == 0 || $0 == 1 })

            // The next second has 10 again, but the minute (25) caps it: 10 + 10 + 5 when within one minute.
            let next = try await Self.lease(client, key: key, second: second + 1, want: 30, perSecond: 10, perMinute: 25)
            #expect(json(next)["granted"] as? Int == 10)
            let sameMinute = (second + 2) / 60 == second / 60
            let after = try await Self.lease(client, key: key, second: second + 2, want: 30, perSecond: 10, perMinute: 25)
            #expect(json(after)["granted"] as? Int == (sameMinute ? 5 : 10))
            #expect(json(after)["secondUsed"] as? Int == (sameMinute ? 5 : 10))

            // Another key has its own budget; no limit at all grants what is asked.
            let other = try await Self.lease(client, key: UUID(), second: second, want: 7, perSecond: 10, perMinute: 25)
            #expect(json(other)["granted"] as? Int == 7, "\(String(buffer: other.body))")
            let unlimited = try await Self.lease(client, key: UUID(), second: second, want: 900, perSecond: nil, perMinute: nil)
            #expect(json(unlimited)["granted"] as? Int == 900)
        }
    }

    @Test func leasesNeedCredentialsAndSaneWindows() async throws {
        try await KeyServiceHarness().run { client in
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
