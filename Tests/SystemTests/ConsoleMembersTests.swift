import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// Members and two-factor sign-in against the real processes (docs/api-guide.md, "Members and
/// roles"): two key-service processes on one database behind the real gateway, so that nothing
/// one of them remembers can hide a change made through the other.
@Suite("Members and two-factor sign-in, as processes", .serialized)
struct ConsoleMembersTests {
    /// Two key services on one database, and the gateway in front of the first.
    struct Stack {
        let first: ChildProcess
        let second: ChildProcess
        let firstURL: String
        let secondURL: String
        let gateway: Gateway
        let owner: TestOrganization

        static func launch() async throws -> Stack {
            let (first, running) = try await KeyServiceFixture.launch()
            let (second, other) = try await KeyServiceFixture.launch(databaseURL: running.databaseURL)
            let gateway = try Gateway(keyServicePort: try #require(URLComponents(string: running.baseURL)?.port), catalogPort: try freePort())
            try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
            let owner = try await running.newOrganization(consoleURL: gateway.url)
            return Stack(first: first, second: second, firstURL: running.baseURL, secondURL: other.baseURL, gateway: gateway, owner: owner)
        }

        func stop() async {
            first.signal()
            second.signal()
            await gateway.stop()
        }

        /// A member of `role` invited by the owner through the gateway and joined there: their
        /// id, email and cookie.
        func member(_ role: String) async throws -> (id: String, email: String, cookie: String) {
            let email = "\(role.lowercased())-\(UUID().uuidString.prefix(8))@example.com"
            let invited = try await owner.console(.POST, "/console/api/invitations", body: #"{"email":"\#(email)","role":"\#(role)"}"#)
            let url = try #require(invited.json["invitationUrl"] as? String, "\(invited.status) \(invited.body)")
            let token = try #require(url.components(separatedBy: "#invitation=").last)
            let joined = try await HTTPExchange.send(
                .POST, gateway.url + "/console/api/invitations/accept", headers: [("Content-Type", "application/json")],
                body: #"{"token":"\#(token)","password":"member-password"}"#)
            #expect(joined.status == 201, "\(joined.body)")
            let cookie = try #require(joined.headers.first(name: "Set-Cookie")?.split(separator: ";").first)
            let id = try #require((joined.json["user"] as? [String: Any])?["id"] as? String)
            return (id, email, String(cookie))
        }
    }

    static func call(_ base: String, _ method: HTTPMethod, _ path: String, cookie: String, body: String? = nil) async throws -> HTTPExchange {
        var headers = [("Cookie", cookie)]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return try await HTTPExchange.send(method, base + path, headers: headers, body: body)
    }

    @Test func aRoleChangeAndARemovalThroughOneProcessHoldOnTheNextRequestAtTheOther() async throws {
        let stack = try await Stack.launch()
        defer { Task { await stack.stop() } }
        let member = try await stack.member("VIEWER")
        // The member's session works at either process (one database).
        for base in [stack.firstURL, stack.secondURL, stack.gateway.url] {
            #expect(try await Self.call(base, .GET, "/console/api/keys", cookie: member.cookie).status == 200)
        }
        let create = #"{"name":"member key","scopes":["jobs:read"]}"#
        let refused = try await Self.call(stack.secondURL, .POST, "/console/api/keys", cookie: member.cookie, body: create)
        #expect(refused.status == 403 && refused.errorCode == "FORBIDDEN")
        #expect((refused.json["error"] as? [String: Any])?["requiredRole"] as? String == "DEVELOPER")
        // Promoted through the gateway (the first process): the second lets them create at once.
        let promoted = try await stack.owner.console(.PATCH, "/console/api/members/\(member.id)", body: #"{"role":"DEVELOPER"}"#)
        #expect(promoted.status == 200, "\(promoted.body)")
        let created = try await Self.call(stack.secondURL, .POST, "/console/api/keys", cookie: member.cookie, body: create)
        #expect(created.status == 201, "\(created.body)")
        let key = try #require(created.json["key"] as? String)
        // Removed through the gateway: the open session is refused on its next request everywhere.
        let removed = try await stack.owner.console(.DELETE, "/console/api/members/\(member.id)")
        #expect(removed.status == 204)
        for base in [stack.secondURL, stack.firstURL, stack.gateway.url] {
            #expect(try await Self.call(base, .GET, "/console/api/keys", cookie: member.cookie).status == 401, "\(base)")
        }
        // The key they made keeps working, and says who made it.
        let basic = "Basic " + Data("\(KeyServiceFixture.clientId):\(KeyServiceFixture.clientSecret)".utf8).base64EncodedString()
        let introspected = try await HTTPExchange.send(
            .POST, stack.secondURL + "/internal/introspect",
            headers: [("Authorization", basic), ("Content-Type", "application/x-www-form-urlencoded")],
            body: "token=\(key)")
        #expect(introspected.json["active"] as? Bool == true)
        let listed = try await stack.owner.console(.GET, "/console/api/keys")
        #expect((listed.json["data"] as? [[String: Any]])?.first?["createdBy"] as? String == member.email)
    }

    /// pyotp (PyPI) computes the codes, from the secret the enrolment gave.
    static func code(_ secret: String, offset: Int = 0) throws -> String {
        let python = try #require(ProcessInfo.processInfo.environment["EVALYO_PYTHON"], "EVALYO_PYTHON is set by scripts/test")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-c", "import sys, time, pyotp; print(pyotp.TOTP(sys.argv[1]).at(time.time() + int(sys.argv[2])))", secret, String(offset),
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func twoFactorSignInEndToEndThroughTheGateway() async throws {
        let stack = try await Stack.launch()
        defer { Task { await stack.stop() } }
        let member = try await stack.member("ADMIN")
        let gateway = stack.gateway.url
        let enrolment = try await Self.call(gateway, .POST, "/console/api/me/two-factor", cookie: member.cookie, body: "{}")
        let secret = try #require(enrolment.json["secret"] as? String, "\(enrolment.body)")
        #expect((enrolment.json["otpauthUrl"] as? String)?.hasPrefix("otpauth://totp/Evalyo:\(member.email)?secret=\(secret)") == true)
        let confirmed = try await Self.call(
            gateway, .POST, "/console/api/me/two-factor/confirm", cookie: member.cookie, body: #"{"code":"\#(try Self.code(secret))"}"#)
        let recovery = try #require(confirmed.json["recoveryCodes"] as? [String], "\(confirmed.body)")
        #expect(recovery.count == 10)

        func challenge() async throws -> String {
            let answer = try await HTTPExchange.send(
                .POST, gateway + "/console/api/session", headers: [("Content-Type", "application/json")],
                body: #"{"email":"\#(member.email)","password":"member-password"}"#)
            #expect(answer.status == 200 && answer.headers.first(name: "Set-Cookie") == nil, "\(answer.body)")
            return try #require(answer.json["challenge"] as? String)
        }
        func step(_ challenge: String, _ code: String, at base: String) async throws -> HTTPExchange {
            try await HTTPExchange.send(
                .POST, base + "/console/api/session/two-factor", headers: [("Content-Type", "application/json")],
                body: #"{"challenge":"\#(challenge)","code":"\#(code)"}"#)
        }
        // A challenge from the first process, answered at the second: the next step's code works.
        let first = try await challenge()
        let signedIn = try await step(first, try Self.code(secret, offset: 30), at: stack.secondURL)
        #expect(signedIn.status == 200, "\(signedIn.body)")
        let cookie = try #require(signedIn.headers.first(name: "Set-Cookie")?.split(separator: ";").first)
        #expect(try await Self.call(gateway, .GET, "/console/api/members", cookie: String(cookie)).status == 200)
        // The same code again, on a new challenge, at the other process: refused.
        let second = try await challenge()
        #expect(try await step(second, try Self.code(secret, offset: 30), at: gateway).status == 401)
        // Wrong codes count as failed sign-ins (the password, the reused code and these two make
        // four of the five); then a recovery code: in, and that code is spent.
        for _ in 0..<2 { #expect(try await step(second, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", at: gateway).status == 401) }
        #expect(try await step(second, recovery[0], at: stack.secondURL).status == 200)
        #expect(try await step(try await challenge(), recovery[0], at: gateway).status == 401)
    }
}
