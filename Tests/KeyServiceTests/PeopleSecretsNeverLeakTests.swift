import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import KeyService

/// Invitation tokens, TOTP secrets, recovery codes and sign-in challenges are shown in the one
/// answer that makes them and nowhere else: no log line (at trace level), no later answer.
@Suite("The people's secrets never leave the answer that makes them")
struct PeopleSecretsNeverLeakTests {
    final class Secrets: @unchecked Sendable {
        var all: [String] = []
    }

    @Test func noLogLineAndNoLaterAnswerHoldsThem() async throws {
        let harness = try await KeyServiceHarness(environment: ["LOG_LEVEL": "trace"])
        let secrets = Secrets()
        try await harness.run { client in
            let owner = try await client.signedInAdmin()
            let invited = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": "new@example.com", "role": "VIEWER"])
            let token = try client.invitationToken(invited)
            let joined = try await client.accept(token, password: KeyServiceHarness.password)
            let cookie = String(try #require(joined.headers[.setCookie]).split(separator: ";")[0])
            let (totp, recovery) = try await TwoFactorSignInTests.enrol(client, cookie: cookie, email: "new@example.com")
            let challenge = try await TwoFactorSignInTests.challenge(client, email: "new@example.com")
            #expect(try await TwoFactorSignInTests.secondStep(client, challenge, recovery[0]).status == .ok)
            secrets.all = [token, Base32.encode(totp.secret), challenge, String(cookie.dropFirst("evalyo_session=".count))] + recovery
            var later: [TestResponse] = []
            for path in [
                "/console/api/invitations", "/console/api/members", "/console/api/audit-events", "/console/api/me/sessions", "/console/api/session",
            ] {
                later.append(try await client.console(.get, path, cookie: owner))
                later.append(try await client.console(.get, path, cookie: cookie))
            }
            later.append(try await client.client.execute(uri: "/metrics", method: .get))
            for response in later {
                let text = String(buffer: response.body) + response.headers.map { "\($0.name): \($0.value)" }.joined()
                for secret in secrets.all { #expect(!text.contains(secret), "a later answer holds \(secret.prefix(4))…") }
            }
        }
        let lines = harness.logs.all
        #expect(lines.contains { $0.contains("member joined") } && lines.contains { $0.contains("two-factor sign-in turned on") })
        for secret in secrets.all {
            #expect(lines.allSatisfy { !$0.contains(secret) }, "a log line holds \(secret.prefix(4))…")
        }
    }

    @Test func theKeyServiceRefusesToServeWithoutAStrongTwoFactorKey() async throws {
        for (value, problem) in [(nil, "must be set"), ("short-key", "characters long"), ("change-me-two-factor-encryption-key-0123", "placeholder")]
        {
            var extra = ["TWO_FACTOR_ENCRYPTION_KEY": value ?? ""]
            if value == nil { extra = [:] }
            let error = #expect(throws: (any Error).self) {
                var values = [
                    "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x", "INTERNAL_CLIENTS": "catalog:catalog-secret-0123456789abcdefghij",
                ]
                values.merge(extra) { $1 }
                _ = try KeyServiceSettings(environment: Environment(values: values))
            }
            #expect("\(error.map { String(describing: $0) } ?? "")".contains("TWO_FACTOR_ENCRYPTION_KEY"), "\(String(describing: error))")
            #expect("\(error.map { String(describing: $0) } ?? "")".contains(problem), "\(String(describing: error))")
        }
        // The operators' commands need no key.
        #expect(throws: Never.self) {
            _ = try KeyServiceSettings(environment: Environment(values: ["DATABASE_URL": "postgres://u:p@127.0.0.1:1/x"]), serving: false)
        }
    }
}
