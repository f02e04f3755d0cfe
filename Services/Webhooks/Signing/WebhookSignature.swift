import Crypto
import Foundation

/// An endpoint's signing secret in the Standard Webhooks form: `whsec_` and the base64 of 32
/// random bytes; the HMAC key is the decoded bytes.
struct WebhookSecret: Sendable, Equatable {
    static let prefix = "whsec_"
    let bytes: [UInt8]

    /// 32 bytes from the CSPRNG.
    static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        return WebhookSecret(bytes: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A secret as the API showed it, or nil.
    init?(text: String) {
        guard text.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))), data.count >= 24
        else { return nil }
        self.bytes = Array(data)
    }

    /// The form the API shows once.
    var text: String { Self.prefix + Data(bytes).base64EncodedString() }

    /// `whsec_` and four characters: what listings show.
    var displayPrefix: String { String(text.prefix(Self.prefix.count + 4)) }
}

/// Signatures of the Standard Webhooks specification: `v1,` and the base64 of the HMAC-SHA256
/// of `<webhook-id>.<webhook-timestamp>.<body>` keyed by the secret's bytes.
enum WebhookSignature {
    /// One secret's signature of a message.
    static func sign(id: String, timestamp: Int, body: [UInt8], secret: WebhookSecret) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret.bytes))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header: every live secret's signature, space-separated (while an
    /// old secret is still valid after a roll, receivers holding either accept the message).
    static func header(id: String, timestamp: Int, body: [UInt8], secrets: [WebhookSecret]) -> String {
        secrets.map { sign(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }
}
