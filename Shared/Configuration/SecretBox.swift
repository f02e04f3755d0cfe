import Crypto
import Foundation
import Hummingbird

/// Encrypts what a service must read back but never keeps in clear: the key service's TOTP
/// secrets (docs/design/console-people.md) and the webhooks service's signing secrets
/// (docs/design/webhooks.md). AES-256-GCM, under a key derived with HKDF-SHA-256 from a secret
/// setting and a purpose; the owner's id is authenticated with it, so a ciphertext copied onto
/// another row does not open.
public struct SecretBox: Sendable {
    /// The derived AES key's bytes (`SymmetricKey` is not `Sendable`).
    let keyBytes: Data

    /// A box keyed by `secret` for one `purpose` (HKDF's info: boxes of two purposes never share a key).
    public init(secret: String, purpose: String) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data(purpose.utf8), outputByteCount: 32)
        self.keyBytes = key.withUnsafeBytes { Data($0) }
    }

    /// The box keyed by the secret setting `variable`: refused at start when missing or weak, like the other secrets.
    public init(environment: Environment, variable: String, purpose: String, why: String) throws {
        self.init(secret: try environment.secret(variable, purpose: why), purpose: purpose)
    }

    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Nonce, ciphertext and tag together.
    public func seal(_ plaintext: [UInt8], for owner: UUID) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(owner.apiString.utf8))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined
    }

    /// The plaintext, or a throw when the data was changed, moved or sealed under another key.
    public func open(_ sealed: Data, for owner: UUID) throws -> [UInt8] {
        Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(owner.apiString.utf8)))
    }
}
