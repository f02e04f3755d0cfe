import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps compute
/// them: HMAC of the 30-second step count since the UNIX epoch, dynamically truncated to 6
/// digits. SHA-1 is what apps assume from an `otpauth://` URL without `algorithm`; SHA-256 and
/// SHA-512 are here for RFC 6238's test vectors.
struct TOTP: Sendable {
    enum Algorithm: String, Sendable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha512 = "SHA512"
    }

    let secret: [UInt8]
    var algorithm: Algorithm = .sha1
    var digits = 6
    var period = 30

    /// A new secret of 20 random bytes (160 bits, RFC 4226 §4's recommended length).
    static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The step `date` falls in.
    func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / Double(period)).rounded(.down))
    }

    /// The code of step `counter` (RFC 4226 §5.3), left-padded with zeros to `digits`.
    func code(step counter: Int64) -> String {
        let message = withUnsafeBytes(of: UInt64(bitPattern: counter).bigEndian) { Array($0) }
        let key = SymmetricKey(data: secret)
        let mac: [UInt8] =
            switch algorithm {
            case .sha1: Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key))
            case .sha256: Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            case .sha512: Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
            }
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: max(0, digits - value.count)) + value
    }

    /// The code at `date`.
    func code(at date: Date) -> String {
        code(step: step(at: date))
    }

    /// The step whose code `candidate` is, within `window` steps either side of `date` (clocks
    /// drift), or nil. The caller keeps the last step accepted, so that no code counts twice.
    func matchingStep(_ candidate: String, at date: Date, window: Int64 = 1) -> Int64? {
        guard candidate.count == digits, candidate.allSatisfy(\.isASCII), candidate.allSatisfy(\.isNumber) else { return nil }
        let now = step(at: date)
        for counter in (now - window)...(now + window) where Self.constantTimeEqual(code(step: counter), candidate) {
            return counter
        }
        return nil
    }

    /// The URL an authenticator app reads from a QR code (the Key Uri Format of Google
    /// Authenticator, which every app follows): label `issuer:account` with a literal colon,
    /// the secret in base 32. Everything but ASCII letters, digits, `-._~` (and `@` in the
    /// account) is percent-encoded, `+` included: some apps read it as a space.
    func otpauthURL(issuer: String, account: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let issuerText = issuer.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        let accountText = account.addingPercentEncoding(withAllowedCharacters: unreserved.union(CharacterSet(charactersIn: "@"))) ?? ""
        // SHA-1, 6 digits and 30 s are the format's defaults, left out to keep the QR code small.
        var url = "otpauth://totp/\(issuerText):\(accountText)?secret=\(Base32.encode(secret))&issuer=\(issuerText)"
        if algorithm != .sha1 || digits != 6 || period != 30 { url += "&algorithm=\(algorithm.rawValue)&digits=\(digits)&period=\(period)" }
        return url
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// RFC 4648 §6 base 32 (`A-Z2-7`), as `otpauth://` secrets are written: encoded without padding,
/// decoded case-insensitively with or without it, ignoring spaces (people type them in groups).
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes, or nil for a character outside the alphabet.
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
