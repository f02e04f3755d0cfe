import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import KeyService

@Suite("Rolling keys and filtering the list (docs/api-guide.md)")
struct RollingKeysTests {
    @Test func aRollGivesASuccessorWithTheSameNameAndScopesAndTheOldKeyAnExpiry() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let old = try await client.createKey(cookie: cookie, name: "ATS sync", scopes: ["jobs:read", "candidates:write"])
            let rolled = try await client.console(
                .post, "/console/api/keys/\(old.id.apiString)/roll", cookie: cookie, body: ["expiresInSeconds": 3600])
            #expect(rolled.status == .created && rolled.headers[.cacheControl] == "no-store")
            let successor = json(rolled)
            #expect(successor["name"] as? String == "ATS sync" && successor["scopes"] as? [String] == ["candidates:write", "jobs:read"])
            #expect(successor["rolledFrom"] as? String == old.id.apiString && successor["status"] as? String == "ACTIVE")
            let newKey = try #require(successor["key"] as? String)
            #expect(json(try await client.introspect(newKey))["active"] as? Bool == true)
            let oldNow = json(try await client.console(.get, "/console/api/keys/\(old.id.apiString)", cookie: cookie))
            #expect(oldNow["status"] as? String == "EXPIRING" && oldNow["rolledTo"] as? String == successor["id"] as? String)
            #expect(oldNow["expiresAt"] is String)
        }
    }

    @Test func theGraceIsFromZeroToSevenDaysAndDefaultsToADay() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            for bad: any Sendable in [-1, 604_801, "soon", 1.5] {
                let key = try await client.createKey(cookie: cookie)
                let refused = try await client.console(
                    .post, "/console/api/keys/\(key.id.apiString)/roll", cookie: cookie, body: ["expiresInSeconds": bad])
                #expect(refused.status == .badRequest, "\(bad)")
            }
            let key = try await client.createKey(cookie: cookie)
            let start = Date()
            #expect(try await client.console(.post, "/console/api/keys/\(key.id.apiString)/roll", cookie: cookie).status == .created)
            let expiresAt = (json(try await client.console(.get, "/console/api/keys/\(key.id.apiString)", cookie: cookie))["expiresAt"] as? String)
                .flatMap { ISO8601DateFormatter().date(from: $0) }
            #expect(expiresAt.map { abs($0.timeIntervalSince(start) - 86_400) < 60 } == true)
            #expect(try await client.console(.post, "/console/api/keys/\(UUID().uuidString)/roll", cookie: cookie).status == .notFound)
        }
    }

    @Test func rollingNowRefusesTheOldKeyAtOnceAndARolledOrRevokedKeyIsNotRolledAgain() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let old = try await client.createKey(cookie: cookie)
            #expect(
                try await client.console(.post, "/console/api/keys/\(old.id.apiString)/roll", cookie: cookie, body: ["expiresInSeconds": 0]).status
                    == .created)
            #expect(json(try await client.introspect(try #require(old.key)))["active"] as? Bool == false)
            let listed = json(try await client.console(.get, "/console/api/keys/\(old.id.apiString)", cookie: cookie))
            #expect(listed["status"] as? String == "EXPIRED")
            let again = try await client.console(.post, "/console/api/keys/\(old.id.apiString)/roll", cookie: cookie)
            #expect(again.status == .conflict && apiError(again)?.code == "KEY_NOT_ROLLABLE")
            let revoked = try await client.createKey(cookie: cookie)
            _ = try await client.console(.post, "/console/api/keys/\(revoked.id.apiString)/revoke", cookie: cookie)
            #expect(
                apiError(try await client.console(.post, "/console/api/keys/\(revoked.id.apiString)/roll", cookie: cookie))?.code
                    == "KEY_NOT_ROLLABLE")
        }
    }

    /// The listing shows `expiresAt` to the second, so the key stops working at that second: a
    /// roll late in a second (here at .5 to .8) used to leave the key working up to 0.8 s past
    /// the time shown, which the services' one-second promise then added to.
    @Test func theKeyStopsWorkingAtTheExpiryTheListingShows() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let old = try await client.createKey(cookie: cookie)
            while !(0.5..<0.8).contains(Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1)) {
                try await Task.sleep(for: .milliseconds(10))
            }
            let rolled = try await client.console(.post, "/console/api/keys/\(old.id.apiString)/roll", cookie: cookie, body: ["expiresInSeconds": 1])
            #expect(rolled.status == .created)
            let listed = json(try await client.console(.get, "/console/api/keys/\(old.id.apiString)", cookie: cookie))
            let shown = try #require((listed["expiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
            let introspected = json(try await client.introspect(try #require(old.key)))
            #expect(introspected["active"] as? Bool == true)
            #expect(introspected["exp"] as? Int == Int(shown.timeIntervalSince1970))
            try await Task.sleep(for: .seconds(shown.timeIntervalSinceNow + 0.05))
            #expect(json(try await client.introspect(try #require(old.key)))["active"] as? Bool == false)
        }
    }

    @Test func theListFiltersByStatusAndNameAndShowsUsableKeysFirst() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let revoked = try await client.createKey(cookie: cookie, name: "Old billing")
            _ = try await client.console(.post, "/console/api/keys/\(revoked.id.apiString)/revoke", cookie: cookie)
            let expiring = try await client.createKey(cookie: cookie, name: "ATS sync")
            _ = try await client.console(.post, "/console/api/keys/\(expiring.id.apiString)/roll", cookie: cookie, body: ["expiresInSeconds": 600])
            _ = try await client.createKey(cookie: cookie, name: "100%_literal")
            func names(_ query: String) async throws -> [String] {
                items(try await client.console(.get, "/console/api/keys\(query)", cookie: cookie)).compactMap { $0["name"] as? String }
            }
            func statuses(_ query: String) async throws -> [String] {
                items(try await client.console(.get, "/console/api/keys\(query)", cookie: cookie)).compactMap { $0["status"] as? String }
            }
            #expect(try await statuses("") == ["ACTIVE", "ACTIVE", "EXPIRING", "REVOKED"])
            #expect(try await statuses("?status=ACTIVE") == ["ACTIVE", "ACTIVE", "EXPIRING"])
            #expect(try await statuses("?status=EXPIRING") == ["EXPIRING"])
            #expect(try await statuses("?status=REVOKED") == ["REVOKED"])
            #expect(try await statuses("?status=EXPIRED") == [])
            #expect(try await names("?search=ats%20SYNC") == ["ATS sync", "ATS sync"])
            #expect(try await names("?search=%25_") == ["100%_literal"])
            #expect(try await names("?search=_") == ["100%_literal"])
            #expect(try await client.console(.get, "/console/api/keys?status=LIVE", cookie: cookie).status == .badRequest)
            let total =
                (json(try await client.console(.get, "/console/api/keys?search=ats&pageSize=1", cookie: cookie))["pagination"] as? [String: Any])?[
                    "total"]
            #expect(total as? Int == 2)
        }
    }
}
