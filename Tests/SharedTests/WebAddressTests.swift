import Foundation
import Shared
import TestSupport
import Testing

/// The server's URL rule (a candidate's `cvUrl`), case by case, and the OpenAPI document's
/// patterns (URL, email, a required text, a language code) giving the same answer as the
/// server for these and for thousands of random strings.
@Suite("A web address is what the document's pattern says it is")
struct WebAddressTests {
    static let accepted: [(String, String)] = [
        ("https://cv.example.com/ada.pdf", "https://cv.example.com/ada.pdf"), ("\n hTTp://a.b/x?y=1#f \u{FEFF}", "hTTp://a.b/x?y=1#f"),
        ("https://s3.example.com/b/cv.pdf?X-Sig=a%2Fb&c=d", "https://s3.example.com/b/cv.pdf?X-Sig=a%2Fb&c=d"),
        ("http://localhost:8080", "http://localhost:8080"), ("HTTPS://EXAMPLE.ORG/~ada/(cv);v=2", "HTTPS://EXAMPLE.ORG/~ada/(cv);v=2"),
        ("http://a.b?q", "http://a.b?q"), ("http://a.b#top", "http://a.b#top"), ("\u{1C}http://a.b/\u{2028}", "http://a.b/"),
    ]
    static let refused = [
        "ftp://x/cv.pdf", "http://a..b", "http://a.b:", "http://a.b:123456", "http://user@a.b/", "http://a.b/%zz", "http://a.b/%2",
        "http://a.b/Uv \u{0B}\t*", "http://a.b/\u{85}x", "http:/a.b", "http://", "https://.a.b", "http://a.b/é", "http://ex\u{0}.com",
        "http://a.b/x y", "http://[::1]/", "mailto:a@b.co", "//a.b/c", "http://a.b/\\x", "http://a_b.c/",
    ]

    @Test func addressesAreAcceptedTrimmed() {
        for (raw, stored) in Self.accepted { #expect(WebAddress.parse(raw) == stored, "\(raw.debugDescription)") }
    }

    @Test func otherStringsAreRefused() {
        for raw in Self.refused { #expect(WebAddress.parse(raw) == nil, "\(raw.debugDescription)") }
    }

    @Test func theDocumentsPatternsAgreeWithTheServerOnEveryString() throws {
        let url = try OpenAPIDocument.pattern(schema: "CandidateInput", property: "cvUrl")
        let email = try OpenAPIDocument.pattern(schema: "CandidateInput", property: "email")
        // Blank is accepted by the pattern (it clears the field) and is nil to the rule.
        let known = Self.accepted.map(\.0) + Self.refused + ["", " \t"]
        for raw in known { #expect(url.matches(raw) == (WebAddress.parse(raw) != nil || WhiteSpace.trimmed(raw).isEmpty), "\(raw.debugDescription)") }
        let title = try OpenAPIDocument.pattern(schema: "JobInput", property: "title")
        let locale = try OpenAPIDocument.pattern(schema: "CandidateInput", property: "locale")
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "http", "HTTPS", "://", "s", ":", "/", "?", "#", "%", "2f", "@", ".", "a", "Z", "9", "-", "_", "~", "!", "'",
            " ", "\t", "\u{0B}", "\u{1C}", "\u{85}", "\u{A0}", "\u{FEFF}", "\u{2028}", "é", "[", "\\", "\0", "x.co", "b@c.d", "fr", "en-GB", "\u{1F}",
            "\u{180E}", "\u{200B}",
        ]
        for _ in 0..<5_000 {
            let raw = (0..<Int.random(in: 1...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(url.matches(raw) == (WebAddress.parse(raw) != nil || WhiteSpace.trimmed(raw).isEmpty), "cvUrl \(raw.debugDescription)")
            #expect(email.matches(raw) == (EmailAddress.parse(raw) != nil), "email \(raw.debugDescription)")
            var validator = FieldValidator()
            _ = validator.required(raw, "title", max: 10_000)
            #expect(title.matches(raw) == validator.details.isEmpty, "title \(raw.debugDescription)")
            let code = WhiteSpace.trimmed(raw)
            #expect(locale.matches(raw) == (code.isEmpty || LanguageCode.isValid(code)), "locale \(raw.debugDescription)")
        }
    }
}
