import Hummingbird
import Shared

extension SecretBox {
    /// The setting that keys two-factor (TOTP) secrets at rest.
    static let twoFactorVariable = "TWO_FACTOR_ENCRYPTION_KEY"
    /// HKDF's info for them; changing it would leave every stored secret unreadable.
    static let twoFactorPurpose = "evalyo two-factor secrets v1"

    /// The box of TOTP secrets, keyed by `TWO_FACTOR_ENCRYPTION_KEY`.
    static func twoFactor(environment: Environment) throws -> SecretBox {
        try SecretBox(
            environment: environment, variable: twoFactorVariable, purpose: twoFactorPurpose,
            why: "it encrypts two-factor (TOTP) secrets at rest; scripts/make-env writes one")
    }
}
