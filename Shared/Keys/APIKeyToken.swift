import Crypto
import Foundation

/// An API key in the contract's format (§2): `evk_` + 30 random base-62 characters + a 6-character
/// base-62 CRC-32 of those 30 characters; 40 characters in all.
///
/// Its description never shows the secret part, so a key that reaches a log by mistake is redacted.
public struct APIKeyToken: Sendable, CustomStringConvertible {
    public static let prefix = "evk_"
    public static let randomLength = 30
    public static let checksumLength = 6
    public static let length = 4 + randomLength + checksumLength

    /// The whole key, as the caller sends it.
    public let value: String

    /// Parses `text`, refusing anything of the wrong length, prefix, alphabet or checksum.
    /// This needs no network: a typo or a forged key is rejected locally.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == Self.length, bytes.starts(with: Self.prefix.utf8) else { return nil }
        let body = bytes[4...]
        guard body.allSatisfy(Base62.contains) else { return nil }
        let random = bytes[4..<(4 + Self.randomLength)]
        let checksum = bytes[(4 + Self.randomLength)...]
        guard Array(checksum) == Array(Self.checksum(of: random).utf8) else { return nil }
        self.value = String(text)
    }

    private init(unchecked value: String) {
        self.value = value
    }

    /// A new key from the system's CSPRNG (`getrandom` on Linux), each character drawn
    /// uniformly from the 62 (`random(in:)` rejects biased draws).
    public static func generate() -> APIKeyToken {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<randomLength).map { _ in Base62.alphabet[Int.random(in: 0..<62, using: &generator)] }
        let value = prefix + String(decoding: random, as: UTF8.self) + checksum(of: random)
        return APIKeyToken(unchecked: value)
    }

    /// The 6-character checksum of the 30 random characters.
    static func checksum(of random: some Sequence<UInt8>) -> String {
        Base62.encode(CRC32.checksum(random), width: checksumLength)
    }

    /// The SHA-256 digest, the only form in which a key is stored or used as a cache key.
    public var digest: Data {
        Data(SHA256.hash(data: Data(value.utf8)))
    }

    /// `evk_` and the first 4 random characters: enough for a person to tell keys apart.
    public var displayPrefix: String {
        String(value.prefix(8))
    }

    public var description: String {
        "\(displayPrefix)…(redacted)"
    }
}
