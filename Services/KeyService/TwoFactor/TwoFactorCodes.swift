import Crypto
import Foundation
import Shared

/// Checks the codes of two-factor sign-in (docs/design/console-people.md): a current TOTP code
/// (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way), accepted only
/// for a step later than the last one accepted, or an unused recovery code.
struct TwoFactorCodes: Sendable {
    static let issuer = "Evalyo"
    static let recoveryCodeCount = 10

    let accounts: ConsoleAccountRepository
    let box: SecretBox

    /// Whether `code` signs `userId` in (and uses it up).
    func verify(_ code: String, userId: UUID, at date: Date = Date()) async throws -> Bool {
        let trimmed = code.filter { !$0.isWhitespace }
        if trimmed.count == 6, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) {
            guard let sealed = try await accounts.totpSecrets(userId: userId)?.confirmed,
                let step = TOTP(secret: try box.open(sealed, for: userId)).matchingStep(trimmed, at: date)
            else { return false }
            return try await accounts.acceptStep(step, userId: userId)
        }
        guard let normalized = Self.normalizedRecoveryCode(trimmed) else { return false }
        return try await accounts.useRecoveryCode(digest: Self.digest(recoveryCode: normalized), userId: userId)
    }

    /// Ten new recovery codes, `XXXX-XXXX-XXXX-XXXX` in base 32 (80 random bits each), and their digests.
    static func newRecoveryCodes() -> (codes: [String], digests: [Data]) {
        let codes = (0..<recoveryCodeCount).map { _ in
            let text = Base32.encode(TOTP.newSecret().prefix(10).map { $0 })
            return stride(from: 0, to: 16, by: 4).map { offset in
                String(text.dropFirst(offset).prefix(4))
            }.joined(separator: "-")
        }
        return (codes, codes.map { digest(recoveryCode: normalizedRecoveryCode($0)!) })
    }

    /// A recovery code as typed (any case, with or without dashes) in its one form, or nil.
    static func normalizedRecoveryCode(_ text: String) -> String? {
        let letters = text.uppercased().filter { $0 != "-" }
        guard letters.count == 16, letters.allSatisfy({ $0.isASCII && Base32.alphabet.contains($0.asciiValue!) })
        else { return nil }
        return letters
    }

    static func digest(recoveryCode: String) -> Data {
        Data(SHA256.hash(data: Data(recoveryCode.utf8)))
    }
}
