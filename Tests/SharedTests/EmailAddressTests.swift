import Shared
import Testing

/// The server's email rule, case by case as the OpenAPI document's pattern decides them
/// (scripts/python/openapi.py's EMAIL_PATTERN gives the same answers for these strings).
@Suite("An email address is what the document's pattern says it is")
struct EmailAddressTests {
    @Test(arguments: [
        ("a@b.co", "a@b.co"), (" a@b.co\t", "a@b.co"), ("\u{85}a@b.co", "a@b.co"), ("\u{FEFF}a@b.co", "a@b.co"),
        ("\u{1C}ada@example.com\u{2028}", "ada@example.com"), ("first.last+tag@mail.example.org", "first.last+tag@mail.example.org"),
    ])
    func addressesAreAcceptedTrimmed(raw: String, stored: String) {
        #expect(EmailAddress.parse(raw) == stored)
    }

    @Test(arguments: [
        "x@example..com", "a\u{85}b@c.de", "a@.b.co", "a@b.", "a@b", "a b@c.de", "@b.co", "a@@b.co", "a@b@c.co",
        "a\u{FEFF}b@c.de", "a@b\u{0}.co", "   ", "",
    ])
    func otherStringsAreRefused(raw: String) {
        #expect(EmailAddress.parse(raw) == nil)
    }
}
