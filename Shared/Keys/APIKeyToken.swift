import Crypto
import Foundation

/// An API key in the documented format (docs/api-guide.md): `evk_` + 30 random base-62 characters + a 6-character
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
    /// This needs no network: a typo or a forged key is rejected locally. It runs on every
    /// request, so it reads the bytes in place and allocates nothing but the kept string.
    public init?(parsing text: some StringProtocol) {
        var text = String(text)
        let valid = text.withUTF8 { bytes in Self.isWellFormed(bytes) }
        guard valid else { return nil }
        self.value = text
    }

    /// Length, prefix, alphabet and checksum, in one pass over the bytes.
    static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == length, bytes[0] == 0x65, bytes[1] == 0x76, bytes[2] == 0x6B, bytes[3] == 0x5F else { return false }
        var crc: UInt32 = 0xFFFF_FFFF
        for index in 4..<(4 + randomLength) {
            let byte = bytes[index]
            guard Base62.contains(byte) else { return false }
            crc = (crc >> 8) ^ CRC32.table[Int((crc ^ UInt32(byte)) & 0xFF)]
        }
        // The checksum's digits, least significant last, compared without building a string.
        var rest = crc ^ 0xFFFF_FFFF
        for index in stride(from: length - 1, through: 4 + randomLength, by: -1) {
            guard bytes[index] == Base62.alphabet[Int(rest % 62)] else { return false }
            rest /= 62
        }
        return rest == 0
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

    /// The SHA-256 digest, the only form in which a key is stored.
    public var digest: Data {
        var value = self.value
        return Data(value.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) })
    }

    /// The same digest as a fixed-size value, hashed without allocating: the cache's key.
    public var sha256: KeyDigest {
        var value = self.value
        return KeyDigest(value.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) })
    }

    /// `evk_` and the first 4 random characters: enough for a person to tell keys apart.
    public var displayPrefix: String {
        String(value.prefix(8))
    }

    public var description: String {
        "\(displayPrefix)…(redacted)"
    }
}

/// A SHA-256 digest as four words: a cache key that is hashed and compared without allocating.
public struct KeyDigest: Hashable, Sendable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ digest: SHA256.Digest) {
        words = digest.withUnsafeBytes { bytes in
            (
                bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
    }

    public static func == (lhs: KeyDigest, rhs: KeyDigest) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
