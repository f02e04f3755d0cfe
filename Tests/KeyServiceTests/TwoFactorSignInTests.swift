import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

@Suite("Two-factor sign-in, sessions and passwords")
struct TwoFactorSignInTests {
    struct Enrolment: Decodable {
        let secret: String
        let otpauthUrl: String
        let qrCodeSvg: String
    }
    struct Recovery: Decodable { let recoveryCodes: [String] }
    struct Challenge: Decodable {
        let twoFactorRequired: Bool
        let challenge: String
    }

    /// Enrols the member of `cookie`: their TOTP and recovery codes. The confirming code is
    /// the current step's, so the next code accepted must be of a later step.
    static func enrol(_ client: KeyServiceHarness.Client, cookie: String, email: String) async throws -> (TOTP, [String]) {
        let started = try await client.console(.post, "/console/api/me/two-factor", cookie: cookie)
        #expect(started.status == .ok)
        let enrolment = try decode(Enrolment.self, started)
        #expect(enrolment.otpauthUrl.hasPrefix("otpauth://totp/Evalyo:\(email)?secret=\(enrolment.secret)&issuer=Evalyo"))
        #expect(enrolment.qrCodeSvg.hasPrefix("<svg"))
        let totp = TOTP(secret: try #require(Base32.decode(enrolment.secret)))
        let wrong = try await client.console(.post, "/console/api/me/two-factor/confirm", cookie: cookie, body: ["code": "000000"])
        if totp.code(at: Date()) != "000000" { #expect(wrong.status == .unprocessableContent) }
        let confirmed = try await client.console(.post, "/console/api/me/two-factor/confirm", cookie: cookie, body: ["code": totp.code(at: Date())])
        #expect(confirmed.status == .ok)
        let codes = try decode(Recovery.self, confirmed).recoveryCodes
        #expect(codes.count == 10 && Set(codes).count == 10)
        return (totp, codes)
    }

    /// The first step of a sign-in with two-factor on: the challenge.
    static func challenge(_ client: KeyServiceHarness.Client, email: String) async throws -> String {
        let response = try await client.console(
            .post, "/console/api/session", cookie: nil, body: ["email": email, "password": KeyServiceHarness.password])
        #expect(response.status == .ok)
        #expect(response.headers[.setCookie] == nil)
        let body = try decode(Challenge.self, response)
        #expect(body.twoFactorRequired)
        return body.challenge
    }

    static func secondStep(_ client: KeyServiceHarness.Client, _ challenge: String, _ code: String) async throws -> TestResponse {
        try await client.console(.post, "/console/api/session/two-factor", cookie: nil, body: ["challenge": challenge, "code": code])
    }

    @Test func enrollingThenSigningInTakesACodeThatWorksOnce() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let cookie = try await client.signIn(email: email)
            let (totp, recovery) = try await Self.enrol(client, cookie: cookie, email: email)
            // The secret is stored sealed: neither its bytes nor its text are in the row.
            let row = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("SELECT row_to_json(u)::text, totp_secret FROM console_users u").collect().first?.decode((String, Data).self)
            }
            let (text, sealed) = try #require(row)
            #expect(!text.contains(Base32.encode(totp.secret)))
            #expect(sealed.range(of: Data(totp.secret)) == nil)
            #expect(
                (try? SecretBox(secret: "another-key-0123456789abcdefghijklmnop", purpose: SecretBox.twoFactorPurpose).open(sealed, for: UUID()))
                    == nil)
            #expect(
                !String(decoding: try await client.console(.get, "/console/api/members", cookie: cookie).body.readableBytesView, as: UTF8.self)
                    .contains(
                        #""twoFactorEnabled":false"#))
            // The code that confirmed is used; the next step's works once.
            let challenge = try await Self.challenge(client, email: email)
            #expect(try await Self.secondStep(client, challenge, totp.code(at: Date())).status == .unauthorized)
            let next = totp.code(at: Date().addingTimeInterval(30))
            let signedIn = try await Self.secondStep(client, challenge, next)
            #expect(signedIn.status == .ok)
            #expect(signedIn.headers[.setCookie]?.hasPrefix("evalyo_session=") == true)
            // The challenge is spent; the same code on a new challenge is refused.
            #expect(try errorOf(try await Self.secondStep(client, challenge, next)).code == "CHALLENGE_EXPIRED")
            let again = try await Self.challenge(client, email: email)
            #expect(try await Self.secondStep(client, again, next).status == .unauthorized)
            // A recovery code works once, in any case and without its dashes.
            let typed = recovery[3].lowercased().replacingOccurrences(of: "-", with: "")
            #expect(try await Self.secondStep(client, again, typed).status == .ok)
            let third = try await Self.challenge(client, email: email)
            #expect(try await Self.secondStep(client, third, recovery[3]).status == .unauthorized)
        }
    }

    @Test func aChallengeDiesAfterFiveWrongCodesAndAfterFiveMinutes() async throws {
        try await KeyServiceHarness(environment: ["SIGN_IN_FAILURES_PER_EMAIL": "100"]).run { client in
            let email = try await client.createOrganization()
            let (_, recovery) = try await Self.enrol(client, cookie: try await client.signIn(email: email), email: email)
            let challenge = try await Self.challenge(client, email: email)
            for _ in 0..<5 { #expect(try await Self.secondStep(client, challenge, "AAAA-AAAA-AAAA-AAAA").status == .unauthorized) }
            let sixth = try await Self.secondStep(client, challenge, recovery[0])
            #expect(try errorCode(sixth, .unauthorized) == "CHALLENGE_EXPIRED")
            let late = try await Self.challenge(client, email: email)
            _ = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("UPDATE console_sign_in_challenges SET expires_at = now() - interval '1 second'")
            }
            #expect(try errorOf(try await Self.secondStep(client, late, recovery[0])).code == "CHALLENGE_EXPIRED")
            // The recovery code was not spent by the refused tries.
            #expect(try await Self.secondStep(client, try await Self.challenge(client, email: email), recovery[0]).status == .ok)
        }
    }

    /// Six wrong codes raced at one challenge: five are checked, never a sixth.
    @Test func racedCodesNeverTryMoreThanFive() async throws {
        try await KeyServiceHarness(environment: ["SIGN_IN_FAILURES_PER_EMAIL": "100"]).run { client in
            let email = try await client.createOrganization()
            _ = try await Self.enrol(client, cookie: try await client.signIn(email: email), email: email)
            let challenge = try await Self.challenge(client, email: email)
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<12 { group.addTask { try errorOf(try await Self.secondStep(client, challenge, "BBBB-BBBB-BBBB-BBBB")).code } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes.filter { $0 == "UNAUTHORIZED" }.count == 5)
            #expect(codes.filter { $0 == "CHALLENGE_EXPIRED" }.count == 7)
        }
    }

    /// Wrong codes count as failed sign-ins: the password and four wrong codes are the five a
    /// client address gets for an email.
    @Test func wrongCodesCountTowardsTheSignInThrottle() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            _ = try await Self.enrol(client, cookie: try await client.signIn(email: email), email: email)
            let challenge = try await Self.challenge(client, email: email)
            for _ in 0..<4 { #expect(try await Self.secondStep(client, challenge, "CCCC-CCCC-CCCC-CCCC").status == .unauthorized) }
            let throttled = try await Self.secondStep(client, challenge, "CCCC-CCCC-CCCC-CCCC")
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] != nil)
            let password = try await client.console(
                .post, "/console/api/session", cookie: nil, body: ["email": email, "password": KeyServiceHarness.password])
            #expect(password.status == .tooManyRequests)
        }
    }

    @Test func turningTwoFactorOffTakesACodeUnlessTheOrganizationRequiresIt() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let cookie = try await client.signIn(email: email)
            let (_, recovery) = try await Self.enrol(client, cookie: cookie, email: email)
            #expect(try await client.console(.post, "/console/api/me/two-factor", cookie: cookie).status == .conflict)
            let required = try await client.console(.patch, "/console/api/organization", cookie: cookie, body: ["requireTwoFactor": true])
            #expect(required.status == .ok && String(buffer: required.body).contains(#""requireTwoFactor":true"#))
            let refused = try await client.console(.delete, "/console/api/me/two-factor", cookie: cookie, body: ["code": recovery[0]])
            #expect(try errorCode(refused, .forbidden) == "TWO_FACTOR_REQUIRED")
            _ = try await client.console(.patch, "/console/api/organization", cookie: cookie, body: ["requireTwoFactor": false])
            #expect(
                try await client.console(.delete, "/console/api/me/two-factor", cookie: cookie, body: ["code": "DDDD-DDDD-DDDD-DDDD"]).status
                    == .unprocessableContent)
            #expect(try await client.console(.delete, "/console/api/me/two-factor", cookie: cookie, body: ["code": recovery[0]]).status == .noContent)
            // Off: the password alone signs in again.
            _ = try await client.signIn(email: email)
            let events = String(buffer: try await client.console(.get, "/console/api/audit-events", cookie: cookie).body)
            for action in ["two_factor.enabled", "two_factor.disabled", "organization.updated"] {
                #expect(events.contains(#""action":"\#(action)""#))
            }
        }
    }

    @Test func aRequiringOrganizationLetsAMemberWithoutTwoFactorOnlyEnrol() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let developer = try await client.member(.DEVELOPER, invitedWith: owner)
            let admin = try await client.member(.ADMIN, invitedWith: owner)
            let notOwner = try await client.console(.patch, "/console/api/organization", cookie: admin.cookie, body: ["requireTwoFactor": true])
            #expect(try requiredRole(notOwner) == "OWNER")
            #expect(try await client.console(.patch, "/console/api/organization", cookie: owner, body: ["requireTwoFactor": true]).status == .ok)
            for (method, path) in [
                (HTTPRequest.Method.get, "/console/api/keys"), (.get, "/console/api/members"), (.get, "/console/api/audit-events"),
                (.get, "/console/api/organization"), (.get, "/console/api/me/sessions"), (.post, "/console/api/invitations"),
            ] {
                let refused = try await client.console(method, path, cookie: developer.cookie)
                #expect(try errorCode(refused, .forbidden) == "TWO_FACTOR_REQUIRED", "\(path)")
            }
            #expect(try await client.console(.get, "/console/api/session", cookie: developer.cookie).status == .ok)
            _ = try await Self.enrol(client, cookie: developer.cookie, email: developer.email)
            #expect(try await client.console(.get, "/console/api/keys", cookie: developer.cookie).status == .ok)
        }
    }

    struct Sessions: Decodable {
        struct Item: Decodable {
            let id: String
            let createdAt: Date
            let lastSeenAt: Date
            let address: String?
            let userAgent: String?
            let current: Bool
        }
        let data: [Item]
    }

    @Test func sessionsAreListedAndEndedOneOrAllButThisOne() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let first = try await client.signIn(email: email)
            let second = try await client.signIn(email: email)
            let third = try await client.signIn(email: email)
            let listed = try decode(Sessions.self, try await client.console(.get, "/console/api/me/sessions", cookie: first)).data
            #expect(listed.count == 3 && listed.filter(\.current).count == 1)
            let mine = try #require(listed.first(where: { $0.current }))
            let other = try #require(listed.first(where: { !$0.current }))
            #expect(try await client.console(.delete, "/console/api/me/sessions/\(other.id)", cookie: first).status == .noContent)
            #expect(try await client.console(.delete, "/console/api/me/sessions/\(other.id)", cookie: first).status == .notFound)
            #expect(try await client.console(.delete, "/console/api/me/sessions", cookie: first).status == .noContent)
            for cookie in [second, third] { #expect(try await client.console(.get, "/console/api/session", cookie: cookie).status == .unauthorized) }
            let left = try decode(Sessions.self, try await client.console(.get, "/console/api/me/sessions", cookie: first)).data
            #expect(left.map(\.id) == [mine.id])
            // Another member's session is not one's own to end.
            let owner = try await client.signedInAdmin()
            #expect(try await client.console(.delete, "/console/api/me/sessions/\(mine.id)", cookie: owner).status == .notFound)
            #expect(try await client.console(.get, "/console/api/session", cookie: first).status == .ok)
        }
    }

    @Test func aPasswordChangeEndsEveryOtherSession() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let current = try await client.signIn(email: email)
            let other = try await client.signIn(email: email)
            let wrong = try await client.console(
                .post, "/console/api/me/password", cookie: current, body: ["currentPassword": "not it at all", "newPassword": "a new password"])
            #expect(wrong.status == .unprocessableContent)
            let short = try await client.console(
                .post, "/console/api/me/password", cookie: current, body: ["currentPassword": KeyServiceHarness.password, "newPassword": "short"])
            #expect(short.status == .badRequest)
            let changed = try await client.console(
                .post, "/console/api/me/password", cookie: current,
                body: ["currentPassword": KeyServiceHarness.password, "newPassword": "a new password"])
            #expect(changed.status == .noContent)
            #expect(try await client.console(.get, "/console/api/session", cookie: other).status == .unauthorized)
            #expect(try await client.console(.get, "/console/api/session", cookie: current).status == .ok)
            _ = try await client.signIn(email: email, password: "a new password")
            #expect(
                String(buffer: try await client.console(.get, "/console/api/audit-events?type=password.changed", cookie: current).body).contains(
                    "password.changed"))
        }
    }
}
