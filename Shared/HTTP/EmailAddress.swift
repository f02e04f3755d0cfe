/// The one rule for an email address, the same as the OpenAPI document's pattern for `email`
/// (scripts/python/openapi.py's EMAIL_PATTERN and BLANK): trimmed of white space, something before one `@`, and a domain
/// of two or more non-empty labels (`x@example..com` is refused), with no white space, `@` or
/// NUL inside. "White space" is every character that any of JSON Schema's regular expressions
/// (ECMA-262 `\s`), Python's (which a generator of test data may use) or Unicode's White_Space
/// counts as one, so that the server and every reader of the document agree on each string.
public enum EmailAddress {
    /// The address without its surrounding white space, or nil when it is not one.
    public static func parse(_ raw: String) -> String? {
        let scalars = raw.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }), let last = scalars.lastIndex(where: { !isBlank($0) }) else { return nil }
        let address = String(scalars[first...last])
        let parts = address.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        guard !address.unicodeScalars.contains(where: { isBlank($0) || $0 == "\0" }) else { return nil }
        return address
    }

    /// Whether `scalar` is white space to any of the three definitions.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

}
