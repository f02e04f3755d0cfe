import Crypto
import Foundation
import Hummingbird
import Logging
import Shared

/// Encrypts what the key service must read back but never keeps in clear: the TOTP secrets of
/// two-factor sign-in (docs/design/console-people.md). AES-256-GCM, under a key derived with
/// HKDF-SHA-256 from `TWO_FACTOR_ENCRYPTION_KEY`; the person's id is authenticated with it, so
/// a ciphertext copied onto another person's row does not open.
struct SecretBox: Sendable {
    static let variable = "TWO_FACTOR_ENCRYPTION_KEY"
    /// The derived AES key's bytes (`SymmetricKey` is not `Sendable`).
    let keyBytes: Data

    init(secret: String) {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data("evalyo two-factor secrets v1".utf8), outputByteCount: 32)
        self.keyBytes = key.withUnsafeBytes { Data($0) }
    }

    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// The key from the environment: refused at start when missing or weak, like the other secrets.
    init(environment: Environment) throws {
        self.init(
            secret: try environment.secret(Self.variable, purpose: "it encrypts two-factor (TOTP) secrets at rest; scripts/make-env writes one"))
    }

    /// Nonce, ciphertext and tag together.
    func seal(_ plaintext: [UInt8], for owner: UUID) throws -> Data {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Data(owner.apiString.utf8))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined
    }

    /// The plaintext, or a throw when the data was changed, moved or sealed under another key.
    func open(_ sealed: Data, for owner: UUID) throws -> [UInt8] {
        Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(owner.apiString.utf8)))
    }
}
