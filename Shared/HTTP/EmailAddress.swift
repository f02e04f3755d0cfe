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

    /// The one fold under which two spellings are the same address: ASCII letters to lower case,
    /// nothing else. Console accounts are found, kept unique and counted by the sign-in throttle
    /// under it. Unicode's folds disagree between Swift (`"İ".lowercased()` is "i" and U+0307)
    /// and PostgreSQL's `lower()` under the database's locale ("i"), so each spelling of one
    /// account would get its own sign-in tries; beyond ASCII, an address is matched as written.
    public static func fold(_ address: String) -> String {
        String(decoding: address.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
