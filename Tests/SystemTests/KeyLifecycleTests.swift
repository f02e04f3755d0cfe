import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// Rolling keys, "which key am I" and the IETF RateLimit headers (docs/api-guide.md, "Rotating a key" and "Rate limits"), against
/// the real processes.
@Suite("Key lifecycle: rolling with a grace period, /api/v1/me, standard rate-limit headers", .serialized)
struct KeyLifecycleTests {
    static func introspect(_ platform: Platform, _ key: String) async throws -> [String: Any] {
        let basic = "Basic " + Data("\(KeyServiceFixture.clientId):\(KeyServiceFixture.clientSecret)".utf8).base64EncodedString()
        return try await HTTPExchange.send(
            .POST, platform.keyService.introspectionURL, headers: [("Authorization", basic), ("Content-Type", "application/x-www-form-urlencoded")],
            body: "token=\(key)"
        ).json
    }

    static let scopes = Platform.readScopes

    @Test func aRolledKeyWorksThroughItsGraceAndIsRefusedEverywhereWithinASecondOfItsExpiry() async throws {
        // A long cache lifetime: only the expiry itself may end the old key's answers.
        let platform = try await Platform.launch(resourceEnvironment: ["AUTH_CACHE_TTL": "60"])
        let organization = try await platform.keyService.newOrganization()
        let old = try await organization.key(Self.scopes)
        for url in platform.readURLs { #expect(try await Platform.status(url, key: old.key) == 200) }

        let successor = try await organization.roll(old.id, expiresInSeconds: 3)
        let rolledAt = Date()
        let listed = try await organization.console(.GET, "/console/api/keys?status=EXPIRING")
        let row = try #require((listed.json["data"] as? [[String: Any]])?.first, "\(listed.status) \(listed.body)")
        #expect(row["id"] as? String == old.id && row["status"] as? String == "EXPIRING" && row["rolledTo"] as? String == successor.id)
        let expiresAt = try #require((row["expiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(abs(expiresAt.timeIntervalSince(rolledAt) - 3) < 2)
        let introspected = try await Self.introspect(platform, old.key)
        #expect(
            introspected["active"] as? Bool == true && (introspected["exp"] as? Int).map { Double($0) >= expiresAt.timeIntervalSince1970 } == true)

        // During the grace both keys work everywhere.
        for url in platform.readURLs {
            #expect(try await Platform.status(url, key: old.key) == 200, "\(url) refused the old key during its grace")
            #expect(try await Platform.status(url, key: successor.key) == 200)
        }
        // Then every service refuses the old key within a second of its expiry.
        try await Task.sleep(until: .now + .seconds(max(0, expiresAt.timeIntervalSinceNow)) + .seconds(1), clock: .continuous)
        for url in platform.readURLs {
            #expect(try await Platform.status(url, key: old.key) == 401, "\(url) still accepts the old key a second after its expiry")
            #expect(try await Platform.status(url, key: successor.key) == 200)
        }
        #expect(try await Self.introspect(platform, old.key)["active"] as? Bool == false)

        // An expired, rolled or revoked key is not rolled again.
        let again = try await organization.console(.POST, "/console/api/keys/\(old.id)/roll", body: "{}")
        #expect(again.status == 409 && again.errorCode == "KEY_NOT_ROLLABLE")
        // The audit trail has the roll and, once recorded, the expiry.
        var actions: [String] = []
        for _ in 0..<30 {
            let events = try await organization.console(.GET, "/console/api/audit-events")
            actions = ((events.json["data"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String }
            if actions.contains("key.expired") { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(actions.contains("key.rolled") && actions.contains("key.expired"), "\(actions)")
        _ = await platform.stop()
    }

    @Test func aKeyWhoseExpiryPassedWhileTheKeyServiceWasDownIsRefusedWhenItIsBack() async throws {
        let platform = try await Platform.launch()
        let organization = try await platform.keyService.newOrganization()
        let old = try await organization.key(Self.scopes)
        _ = try await organization.roll(old.id, expiresInSeconds: 2)
        let keyService = platform.processes[0]
        keyService.signal(SIGTERM)
        #expect(try await keyService.waitForExit(timeout: .seconds(15)) == 0)
        try await Task.sleep(for: .seconds(3))
        let port = Int(platform.keyService.baseURL.split(separator: ":").last!)!
        let (restarted, _) = try await KeyServiceFixture.launch(databaseURL: platform.keyService.databaseURL, port: port)
        #expect(try await Self.introspect(platform, old.key)["active"] as? Bool == false)
        for url in platform.readURLs { #expect(try await Platform.status(url, key: old.key) == 401) }
        restarted.signal(SIGTERM)
        _ = await platform.stop()
    }

    @Test func everyResourceServiceAndTheGatewaySayWhichKeyARequestCarries() async throws {
        let platform = try await Platform.launch()
        let organization = try await platform.keyService.newOrganization(plan: ["business"])
        let key = try await organization.key(["reports:read", "jobs:read"])
        for base in [platform.gateway.url, platform.catalogURL, platform.interviewsURL, platform.reportsURL] {
            let me = try await HTTPExchange.send(.GET, base + "/api/v1/me", headers: [("Authorization", "Bearer \(key.key)")])
            #expect(me.status == 200, "\(base): \(me.body)")
            #expect(me.json["keyId"] as? String == key.id && me.json["organizationId"] as? String == organization.id)
            #expect(me.json["scopes"] as? [String] == ["jobs:read", "reports:read"])
            #expect(me.json.keys.contains("expiresAt") && me.json["expiresAt"] is NSNull)
            let limits = me.json["rateLimit"] as? [String: Any]
            #expect(limits?["plan"] as? String == "BUSINESS" && limits?["perSecond"] as? Int == 100 && limits?["perMinute"] as? Int == 5000)
            // It counts against the key's limits like any request, with the standard headers.
            #expect(me.headers.first(name: "RateLimit-Policy") == #""second";q=100;w=1, "minute";q=5000;w=60"#)
            #expect(me.headers.first(name: "X-RateLimit-Limit") != nil)
        }
        let anonymous = try await HTTPExchange.send(.GET, platform.gateway.url + "/api/v1/me")
        #expect(anonymous.status == 401)
        _ = await platform.stop()
    }

    @Test func theRateLimitHeadersAgreeWithTheXRateLimitOnes() async throws {
        let platform = try await Platform.launch()
        let organization = try await platform.keyService.newOrganization(plan: ["starter"])
        let key = try await organization.key(["jobs:read"]).key
        var answers: [HTTPExchange] = []
        for _ in 0..<12 {
            answers.append(try await HTTPExchange.send(.GET, platform.gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(key)")]))
        }
        for answer in answers {
            #expect(answer.headers.first(name: "RateLimit-Policy") == #""second";q=10;w=1, "minute";q=500;w=60"#)
            let limit = try #require(answer.headers.first(name: "X-RateLimit-Limit"))
            let remaining = try #require(answer.headers.first(name: "X-RateLimit-Remaining"))
            let policy = limit == "10" ? "second" : "minute"
            let header = try #require(answer.headers.first(name: "RateLimit"))
            #expect(header.hasPrefix("\"\(policy)\";r=\(remaining);t="), "\(header) against limit \(limit), remaining \(remaining)")
            let reset = Int(header.split(separator: "=").last ?? "") ?? 0
            #expect((1...60).contains(reset))
        }
        #expect(answers.contains { $0.status == 429 } || answers.allSatisfy { $0.status == 200 })
        _ = await platform.stop()
    }
}
