/// The one rule for an email address, the same as the OpenAPI document's pattern for `email`
/// (scripts/python/openapi.py's EMAIL_PATTERN): trimmed of white space (``WhiteSpace``),
/// something before one `@`, and a domain of two or more non-empty labels (`x@example..com` is
/// refused), with no white space, `@` or NUL inside.
public enum EmailAddress {
    /// The address without its surrounding white space, or nil when it is not one.
    public static func parse(_ raw: String) -> String? {
        let address = WhiteSpace.trimmed(raw)
        let parts = address.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        guard !address.unicodeScalars.contains(where: { WhiteSpace.contains($0) || $0 == "\0" }) else { return nil }
        return address
    }
}
