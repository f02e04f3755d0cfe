/// The `0-9A-Za-z` alphabet of API keys.
public enum Base62 {
    public static let alphabet: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Whether `byte` is one of the 62 characters.
    @inlinable
    public static func contains(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// `value` in base 62, most significant digit first, left-padded with `0` to `width`.
    public static func encode(_ value: UInt32, width: Int) -> String {
        var digits = [UInt8](repeating: alphabet[0], count: width)
        var rest = value
        var index = width - 1
        while rest > 0, index >= 0 {
            digits[index] = alphabet[Int(rest % 62)]
            rest /= 62
            index -= 1
        }
        return String(decoding: digits, as: UTF8.self)
    }
}
