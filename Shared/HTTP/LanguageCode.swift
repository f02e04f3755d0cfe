/// Language codes as the API takes them: `fr`, `en`, `en-GB`, `pt-BR` (BCP 47 language with an
/// optional region).
public enum LanguageCode {
    /// Whether `text` is such a code.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), (2...3).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return false
        }
        return parts.count == 1 || (parts[1].count == 2 && parts[1].allSatisfy { $0.isASCII && $0.isLetter })
    }
}
