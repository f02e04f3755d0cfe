/// RFC 8259 JSON and nothing more: Foundation's decoder also takes trailing commas, and both it
/// and `JSONSerialization` keep the last of two equal keys. This one pass over the bytes refuses
/// both, with comments, single quotes, control characters in strings, non-RFC numbers and more
/// than `maximumDepth` levels of nesting, before any decoder sees the body.
public struct StrictJSON {
    /// Why a body is not strict JSON: a message for the client and the byte offset.
    public struct Violation: Error, Equatable {
        public let message: String
        public let offset: Int
    }

    /// Objects and arrays nested deeper than this are refused (no legitimate body comes close).
    public static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0

    /// Checks that `bytes` hold exactly one RFC 8259 value, with whitespace around it only.
    public static func validate(_ bytes: [UInt8]) throws(Violation) {
        var checker = StrictJSON(bytes: bytes)
        checker.skipWhitespace()
        try checker.value(depth: 0)
        checker.skipWhitespace()
        guard checker.index == bytes.count else { throw checker.violation("unexpected text after the JSON value") }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func violation(_ message: String) -> Violation { Violation(message: message, offset: index) }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func value(depth: Int) throws(Violation) {
        guard let byte = current else { throw violation("a value is missing") }
        switch byte {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        case UInt8(ascii: "'"): throw violation("strings need double quotes")
        case UInt8(ascii: "/"): throw violation("comments are not JSON")
        default: throw violation("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws(Violation) {
        guard depth <= Self.maximumDepth else { throw violation("nested more than \(Self.maximumDepth) levels deep") }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            index += 1
            return
        }
        var keys = Set<ArraySlice<UInt8>>()
        while true {
            guard current == UInt8(ascii: "\"") else {
                throw violation(current == UInt8(ascii: "}") ? "a trailing comma is not JSON" : "an object key must be a double-quoted string")
            }
            let key = try string()
            guard keys.insert(key).inserted else { throw violation("the key \"\(String(decoding: key, as: UTF8.self))\" appears twice") }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw violation("a colon is missing after an object key") }
            index += 1
            skipWhitespace()
            try value(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                return
            default: throw violation("a comma or } is missing")
            }
        }
    }

    private mutating func array(depth: Int) throws(Violation) {
        guard depth <= Self.maximumDepth else { throw violation("nested more than \(Self.maximumDepth) levels deep") }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            if current == UInt8(ascii: "]") { throw violation("a trailing comma is not JSON") }
            try value(depth: depth)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                return
            default: throw violation("a comma or ] is missing")
            }
        }
    }

    /// Reads a string and returns its raw bytes between the quotes (escapes left as written).
    private mutating func string() throws(Violation) -> ArraySlice<UInt8> {
        index += 1
        let start = index
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                defer { index += 1 }
                return bytes[start..<index]
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = current else { break }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    for _ in 0..<4 {
                        guard let hex = current, hex.isHexDigit else { throw violation("\\u needs four hex digits") }
                        index += 1
                    }
                default: throw violation("unknown escape in a string")
                }
            case 0x00..<0x20: throw violation("control characters must be escaped in a string")
            default: index += 1
            }
        }
        throw violation("a string is not closed")
    }

    private mutating func literal(_ word: StaticString) throws(Violation) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= expected.count, bytes[index..<index + expected.count].elementsEqual(expected) else {
            throw violation("unexpected word")
        }
        index += expected.count
    }

    private mutating func number() throws(Violation) {
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first.isDigit else { throw violation("a number needs digits") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() } else if current?.isDigit == true { throw violation("numbers have no leading zeros") }
        if current == UInt8(ascii: ".") {
            index += 1
            guard current?.isDigit == true else { throw violation("a fraction needs digits") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard current?.isDigit == true else { throw violation("an exponent needs digits") }
            skipDigits()
        }
    }

    private mutating func skipDigits() {
        while current?.isDigit == true { index += 1 }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f")) || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
