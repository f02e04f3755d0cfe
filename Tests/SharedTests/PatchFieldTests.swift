import Foundation
import Shared
import Testing

@Suite("PatchField tells a missing field from null and from a value, with synthesized Decodable")
struct PatchFieldTests {
    struct Input: Decodable {
        var name: PatchField<String>
        var count: PatchField<Int>
        var tags: PatchField<[String]>
    }

    static func decode(_ json: String) throws -> Input {
        try JSONDecoder().decode(Input.self, from: Data(json.utf8))
    }

    @Test func aMissingKeyIsAbsentNullIsNullAndAValueIsTheValue() throws {
        let input = try Self.decode(#"{"name": null, "count": 3}"#)
        #expect(input.name.isNull && input.name.applied(to: "old") == nil)
        #expect(input.count.applied(to: 1) == 3)
        #expect(!input.tags.isPresent && input.tags.applied(to: ["kept"]) == ["kept"])
    }

    @Test func aFractionalOrHugeIntegerIsRefusedWithItsField() throws {
        for json in [#"{"count": 1.5}"#, #"{"count": 1e300}"#] {
            #expect {
                try Self.decode(json)
            } throws: { error in
                guard case DecodingError.typeMismatch(_, let context) = error else { return false }
                return context.codingPath.map(\.stringValue) == ["count"]
            }
        }
    }

    @Test func aValueOfTheWrongTypeIsRefused() {
        #expect(throws: DecodingError.self) { try Self.decode(#"{"name": 5}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"tags": "a"}"#) }
    }
}
