import Crypto
import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// Secret scanners' reports and revoke-all (docs/api-guide.md, "Leaked keys"), against the real processes.
@Suite("Leaked keys: a signed report revokes at once, and revoke-all revokes everything", .serialized)
struct LeakedKeyTests {
    static let scopes = Platform.readScopes
    static let reporterId = "test-reporter-2026"

    /// A reporter key pair, and its public key in a file in GitHub's format.
    static func reporter() throws -> (P256.Signing.PrivateKey, String) {
        let key = P256.Signing.PrivateKey()
        let list: [String: Any] = ["public_keys": [["key_identifier": reporterId, "key": key.publicKey.pemRepresentation, "is_current": true]]]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("leak-reporters-\(UUID()).json").path
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: path))
        return (key, path)
    }

    /// Whether every service refuses `key` within `seconds`.
    static func refusedEverywhere(_ key: String, _ platform: Platform, within seconds: Double = 2) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        for url in platform.readURLs {
            while try await Platform.status(url, key: key) != 401 {
                if ContinuousClock.now > deadline { return false }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        return true
    }

    /// Sends a report through the gateway, signed by `signer` unless told otherwise.
    static func report(_ platform: Platform, _ body: String, signer: P256.Signing.PrivateKey?, identifier: String? = reporterId) async throws
        -> HTTPExchange
    {
        var headers = [("Content-Type", "application/json")]
        if let identifier { headers.append(("Github-Public-Key-Identifier", identifier)) }
        if let signer {
            let signature = try signer.signature(for: Data(body.utf8)).derRepresentation.base64EncodedString()
            headers.append(("Github-Public-Key-Signature", signature))
        }
        return try await HTTPExchange.send(.POST, platform.gateway.url + "/security/leaked-keys", headers: headers, body: body)
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func aSignedReportRevokesAnActiveKeyEverywhereAndARepeatAnswersTheSame() async throws {
        let (signer, file) = try Self.reporter()
        let platform = try await Platform.launch(
            resourceEnvironment: ["AUTH_CACHE_TTL": "60"], keyServiceEnvironment: ["LEAK_REPORTER_KEYS_FILE": file])
        let organization = try await platform.keyService.newOrganization()
        let leaked = try await organization.key(Self.scopes)
        let other = try await organization.key(Self.scopes)
        for url in platform.readURLs { #expect(try await Platform.status(url, key: leaked.key) == 200) }
        let lookAlike = "evk_" + String(repeating: "A", count: 36)
        let url = "https://github.com/acme/app/blob/main/.env"
        let body =
            #"[{"token":"\#(leaked.key)","type":"evalyo_api_key","url":"\#(url)","source":"content"},{"token":"\#(lookAlike)","type":"evalyo_api_key","url":"\#(url)","source":"content"}]"#

        let answer = try await Self.report(platform, body, signer: signer)
        #expect(answer.status == 200, "\(answer.body)")
        let labels = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [[String: String]]
        #expect(
            labels == [
                ["token_hash": Self.sha256(leaked.key), "token_type": "evalyo_api_key", "label": "true_positive"],
                ["token_hash": Self.sha256(lookAlike), "token_type": "evalyo_api_key", "label": "false_positive"],
            ])
        #expect(!answer.body.contains(leaked.key) && !answer.body.contains(lookAlike))
        #expect(try await Self.refusedEverywhere(leaked.key, platform), "a reported key still works somewhere")
        for url in platform.readURLs { #expect(try await Platform.status(url, key: other.key) == 200) }

        // The console shows why, with the link; the audit trail names the reporter.
        let listed = try await organization.console(.GET, "/console/api/keys?status=REVOKED")
        let row = (listed.json["data"] as? [[String: Any]])?.first
        #expect(row?["id"] as? String == leaked.id && row?["revocationReason"] as? String == "LEAKED" && row?["leakUrl"] as? String == url)
        let events = try await organization.console(.GET, "/console/api/audit-events")
        let leak = ((events.json["data"] as? [[String: Any]]) ?? []).first { $0["action"] as? String == "key.leaked" }
        let details = leak?["details"] as? [String: String]
        #expect(details?["reporter"] == Self.reporterId && details?["url"] == url)

        // The same report again answers the same; another report of the key finds nothing to do.
        let repeated = try await Self.report(platform, body, signer: signer)
        #expect(repeated.status == 200 && repeated.body == answer.body)
        let again = try await Self.report(
            platform, #"[{"token":"\#(leaked.key)","type":"evalyo_api_key","url":"https://gist.github.com/x","source":"gist"}]"#, signer: signer)
        #expect(again.body.contains("false_positive") && !again.body.contains("true_positive"))
        _ = await platform.stop()
    }

    @Test func aBadOrMissingSignatureOrAnUnknownReporterChangesNothing() async throws {
        let (signer, file) = try Self.reporter()
        let platform = try await Platform.launch(keyServiceEnvironment: ["LEAK_REPORTER_KEYS_FILE": file])
        let organization = try await platform.keyService.newOrganization()
        let key = try await organization.key(Self.scopes).key
        let body = #"[{"token":"\#(key)","type":"evalyo_api_key","url":"https://example.com","source":"content"}]"#
        let stranger = P256.Signing.PrivateKey()
        for (name, answer) in [
            ("another key's signature", try await Self.report(platform, body, signer: stranger)),
            ("an unknown reporter", try await Self.report(platform, body, signer: signer, identifier: "someone-else")),
            ("no signature", try await Self.report(platform, body, signer: nil)),
            ("no headers", try await Self.report(platform, body, signer: nil, identifier: nil)),
        ] {
            #expect(answer.status == 401 && answer.errorCode == "UNAUTHORIZED", "\(name): \(answer.status)")
        }
        let notAnArray = try await Self.report(platform, #"{"token":"\#(key)"}"#, signer: signer)
        #expect(notAnArray.status == 400 && notAnArray.errorCode == "VALIDATION_ERROR")
        for url in platform.readURLs { #expect(try await Platform.status(url, key: key) == 200, "\(url)") }
        _ = await platform.stop()
    }

    @Test func revokeAllRefusesAWrongConfirmationAndRevokesEveryActiveAndExpiringKey() async throws {
        let platform = try await Platform.launch(resourceEnvironment: ["AUTH_CACHE_TTL": "60"])
        let organization = try await platform.keyService.newOrganization()
        var keys = [try await organization.key(Self.scopes), try await organization.key(Self.scopes)]
        let rolled = try await organization.key(Self.scopes)
        keys.append(rolled)
        keys.append(try await organization.roll(rolled.id, expiresInSeconds: 3600))
        let neighbour = try await platform.keyService.newOrganization().key(Self.scopes).key
        for key in keys { for url in platform.readURLs { #expect(try await Platform.status(url, key: key.key) == 200) } }

        let wrong = try await organization.console(.POST, "/console/api/keys/revoke-all", body: #"{"confirm":"not the name"}"#)
        #expect(wrong.status == 422 && wrong.errorCode == "CONFIRMATION_MISMATCH")
        #expect(try await Platform.status(platform.catalogURL + "/api/v1/jobs", key: keys[0].key) == 200)

        let right = try await organization.console(.POST, "/console/api/keys/revoke-all", body: #"{"confirm":"\#(organization.name)"}"#)
        #expect(right.status == 200 && right.json["revoked"] as? Int == 4, "\(right.body)")
        for key in keys { #expect(try await Self.refusedEverywhere(key.key, platform), "a key still works after revoke-all") }
        for url in platform.readURLs { #expect(try await Platform.status(url, key: neighbour) == 200) }
        let again = try await organization.console(.POST, "/console/api/keys/revoke-all", body: #"{"confirm":"\#(organization.name)"}"#)
        #expect(again.json["revoked"] as? Int == 0)
        _ = await platform.stop()
    }

    @Test func theTrustedKeysAreReadAgainWhenTheFileChangesAndOnSIGHUP() async throws {
        let (first, file) = try Self.reporter()
        let platform = try await Platform.launch(keyServiceEnvironment: ["LEAK_REPORTER_KEYS_FILE": file, "LOG_LEVEL": "info"])
        let organization = try await platform.keyService.newOrganization()
        let body = #"[{"token":"evk_nothing","type":"evalyo_api_key","url":"https://example.com","source":"content"}]"#
        #expect(try await Self.report(platform, body, signer: first).status == 200)

        // A new list (a second reporter) is used at the next report, without a restart.
        let second = P256.Signing.PrivateKey()
        func write(_ keys: [(String, P256.Signing.PrivateKey)]) throws {
            let list: [String: Any] = [
                "public_keys": keys.map { ["key_identifier": $0.0, "key": $0.1.publicKey.pemRepresentation, "is_current": true] }
            ]
            try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: file))
        }
        #expect(try await Self.report(platform, body, signer: second, identifier: "second").status == 401)
        try write([(Self.reporterId, first), ("second", second)])
        #expect(try await Self.report(platform, body, signer: second, identifier: "second").status == 200)

        // SIGHUP reads the file at once, before any report asks.
        let third = P256.Signing.PrivateKey()
        try write([("third", third)])
        let keyService = platform.processes[0]
        keyService.signal(SIGHUP)
        var reloaded = false
        for _ in 0..<50 where !reloaded {
            reloaded =
                keyService.output.contains("SIGHUP: reading the leak reporters' keys again")
                && keyService.output.contains(#""msg":"leak reporter keys loaded","count":"1""#)
            if !reloaded { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(reloaded, "no reload logged after SIGHUP: \(keyService.output.suffix(600))")
        #expect(try await Self.report(platform, body, signer: third, identifier: "third").status == 200)
        #expect(try await Self.report(platform, body, signer: first).status == 401)
        _ = organization
        _ = await platform.stop()
    }
}
