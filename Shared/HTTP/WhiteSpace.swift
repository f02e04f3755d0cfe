/// White space as every reader of the OpenAPI document counts it: each character that any of
/// JSON Schema's regular expressions (ECMA-262 `\s`), Python's (which a generator of test data
/// may use) or Unicode's White_Space calls white space. scripts/python/openapi.py's BLANK is
/// the same set, so the server and the document's patterns agree on where a value starts.
public enum WhiteSpace {
    /// Whether `scalar` is white space to any of the three definitions.
    public static func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    /// `raw` without the white space around it ("" when it is all white space).
    public static func trimmed(_ raw: String) -> String {
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !contains($0) }), let last = scalars.lastIndex(where: { !contains($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
