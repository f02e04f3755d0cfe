import Foundation
import Testing

@testable import Webhooks

/// Our signatures, verified by the Standard Webhooks specification's own library
/// (`standardwebhooks` from PyPI, in the Python tools scripts/test installs).
@Suite("Webhook signatures as the Standard Webhooks library verifies them")
struct WebhookSignatureTests {
    /// What `standardwebhooks` says of each (secret, signature header) pair for one message.
    static func verify(id: String, timestamp: Int, body: String, header: String, secrets: [String]) throws -> [String] {
        let python = try #require(
            ProcessInfo.processInfo.environment["EVALYO_PYTHON"], "EVALYO_PYTHON (a Python with standardwebhooks) is set by scripts/test")
        let script = """
            import json, sys
            from standardwebhooks.webhooks import Webhook
            message = json.loads(sys.stdin.read())
            headers = {"webhook-id": message["id"], "webhook-timestamp": str(message["timestamp"]), "webhook-signature": message["header"]}
            for secret in message["secrets"]:
                try:
                    Webhook(secret).verify(message["body"], headers)
                    print("verified")
                except Exception as error:
                    print("refused " + type(error).__name__)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let message: [String: Any] = ["id": id, "timestamp": timestamp, "body": body, "header": header, "secrets": secrets]
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: message))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func theLibraryVerifiesOurSignatureAndRefusesAnotherSecretsOrAChangedBody() throws {
        let secret = WebhookSecret.generate()
        let other = WebhookSecret.generate()
        let body = #"{"id":"evt_1","type":"report.created","data":{"score":"92 %","note":"é ✓"}}"#
        let now = Int(Date().timeIntervalSince1970)
        let header = WebhookSignature.header(id: "evt_1", timestamp: now, body: Array(body.utf8), secrets: [secret])
        #expect(header.hasPrefix("v1,"))
        #expect(
            try Self.verify(id: "evt_1", timestamp: now, body: body, header: header, secrets: [secret.text, other.text]) == [
                "verified", "refused WebhookVerificationError",
            ])
        #expect(
            try Self.verify(id: "evt_1", timestamp: now, body: body + " ", header: header, secrets: [secret.text]) == [
                "refused WebhookVerificationError"
            ])
        #expect(
            try Self.verify(id: "evt_2", timestamp: now, body: body, header: header, secrets: [secret.text]) == ["refused WebhookVerificationError"])
    }

    /// While an old secret lives after a roll, both sign: a receiver holding either verifies.
    @Test func duringARollBothSecretsVerify() throws {
        let old = WebhookSecret.generate()
        let new = WebhookSecret.generate()
        let body = #"{"id":"evt_9"}"#
        let now = Int(Date().timeIntervalSince1970)
        let header = WebhookSignature.header(id: "evt_9", timestamp: now, body: Array(body.utf8), secrets: [new, old])
        #expect(header.split(separator: " ").count == 2)
        #expect(try Self.verify(id: "evt_9", timestamp: now, body: body, header: header, secrets: [old.text, new.text]) == ["verified", "verified"])
    }

    @Test func aSecretReadsBackFromItsTextAndShowsItsPrefix() {
        let secret = WebhookSecret.generate()
        #expect(secret.text.hasPrefix("whsec_") && secret.text.count == 6 + 44)
        #expect(WebhookSecret(text: secret.text) == secret)
        #expect(secret.displayPrefix.count == 10 && secret.text.hasPrefix(secret.displayPrefix))
        for bad in ["", "whsec_", "whsec_!!!!", "sk_" + secret.text.dropFirst(6), "whsec_" + Data(count: 8).base64EncodedString()] {
            #expect(WebhookSecret(text: bad) == nil, "\(bad)")
        }
    }
}
