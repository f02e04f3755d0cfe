/// The one rule for an http or https URL (a candidate's `cvUrl`), the same as the OpenAPI
/// document's pattern (scripts/python/openapi.py's WEB_ADDRESS_PATTERN): trimmed of white
/// space (``WhiteSpace``), then `http://` or `https://` in any case, a host of dot-separated
/// labels of letters, digits and `-`, an optional port of one to five digits, and an optional
/// path, query and fragment written in RFC 3986's characters (unreserved, sub-delimiters, `:`,
/// `@`, `/`, `?` and percent-escapes). Nothing else: no white space, no user name or password,
/// nothing a browser would have to guess at.
public enum WebAddress {
    /// The address without its surrounding white space, or nil when it is not one (or blank).
    public static func parse(_ raw: String) -> String? {
        let address = WhiteSpace.trimmed(raw)
        var rest = address.unicodeScalars[...]
        for scheme in ["https://", "http://"] where hasPrefix(rest, scheme) {
            rest = rest.dropFirst(scheme.unicodeScalars.count)
            let authorityEnd = rest.firstIndex(where: { "/?#".unicodeScalars.contains($0) }) ?? rest.endIndex
            guard isAuthority(rest[..<authorityEnd]) else { return nil }
            rest = rest[authorityEnd...]
            if rest.first == "/" { rest = scanned(rest, allowing: "/") }
            if rest.first == "?" { rest = scanned(rest.dropFirst(), allowing: "/?") }
            if rest.first == "#" { rest = scanned(rest.dropFirst(), allowing: "/?") }
            return rest.isEmpty ? address : nil
        }
        return nil
    }

    /// Whether `text` starts with the ASCII `prefix`, letters in either case.
    static func hasPrefix(_ text: Substring.UnicodeScalarView, _ prefix: String) -> Bool {
        text.count >= prefix.unicodeScalars.count
            && zip(text, prefix.unicodeScalars).allSatisfy { $0 == $1 || (isASCIIAlphanumeric($0) && $0.value | 0x20 == $1.value) }
    }

    /// `host` or `host:port`, the host one or more non-empty labels of letters, digits and `-`.
    static func isAuthority(_ authority: Substring.UnicodeScalarView) -> Bool {
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let labels = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy { isASCIIAlphanumeric($0) || $0 == "-" } }) else { return false }
        guard parts.count == 2 else { return true }
        return (1...5).contains(parts[1].count) && parts[1].allSatisfy { ("0"..."9").contains($0) }
    }

    /// What is left of `text` after its leading run of path characters (`extra` besides
    /// RFC 3986's pchar) and well-formed percent-escapes.
    static func scanned(_ text: Substring.UnicodeScalarView, allowing extra: String) -> Substring.UnicodeScalarView {
        var rest = text
        while let scalar = rest.first {
            if isASCIIAlphanumeric(scalar) || "-._~!$&'()*+,;=:@".unicodeScalars.contains(scalar) || extra.unicodeScalars.contains(scalar) {
                rest = rest.dropFirst()
            } else if scalar == "%", rest.dropFirst().prefix(2).count == 2, rest.dropFirst().prefix(2).allSatisfy({ $0.properties.isASCIIHexDigit }) {
                rest = rest.dropFirst(3)
            } else {
                break
            }
        }
        return rest
    }

    /// A to Z, a to z, 0 to 9 (the pattern's `[A-Za-z0-9]`, which no locale widens).
    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
