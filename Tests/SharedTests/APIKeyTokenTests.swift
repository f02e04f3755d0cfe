import Foundation
import Shared
import Testing

@Suite("API key format")
struct APIKeyTokenTests {
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func base62PadsToSixDigitsMostSignificantFirst() {
        #expect(Base62.encode(0xCBF4_3926, width: 6) == "3jZRME")
        #expect(Base62.encode(0, width: 6) == "000000")
        #expect(Base62.encode(61, width: 6) == "00000z")
        #expect(Base62.encode(UInt32.max, width: 6) == "4gfFC3")
    }

    @Test func aKeyComputedWithZlibParses() throws {
        // Checksum computed independently with Python's zlib.crc32.
        let token = try #require(APIKeyToken(parsing: "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe"))
        #expect(token.displayPrefix == "evk_AbCd")
    }

    @Test func generatedKeysHaveTheContractFormat() throws {
        for _ in 0..<1000 {
            let token = APIKeyToken.generate()
            #expect(token.value.count == 40)
            #expect(token.value.hasPrefix("evk_"))
            #expect(token.value.dropFirst(4).utf8.allSatisfy(Base62.contains))
            let parsed = try #require(APIKeyToken(parsing: token.value))
            #expect(parsed.digest == token.digest)
            #expect(token.displayPrefix == String(token.value.prefix(8)))
        }
    }

    @Test func generatedKeysAreUniqueAndUseTheWholeAlphabet() {
        var seen = Set<String>()
        var characters = Set<Character>()
        for _ in 0..<20000 {
            let token = APIKeyToken.generate()
            seen.insert(token.value)
            characters.formUnion(token.value.dropFirst(4).prefix(30))
        }
        #expect(seen.count == 20000)
        #expect(characters.count == 62)
    }

    @Test func aChangedCharacterFailsTheChecksum() {
        let value = APIKeyToken.generate().value
        for index in [4, 20, 33, 34, 39] {
            var bytes = Array(value.utf8)
            bytes[index] = bytes[index] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            #expect(APIKeyToken(parsing: String(decoding: bytes, as: UTF8.self)) == nil, "position \(index)")
        }
    }

    @Test(arguments: [
        "", "evk_", "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBx", "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe0",
        "evx_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe", "EVK_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe",
        "evk_AbCdEfGhIjKlMnOpQrStUvWxYz0123-piBxe", "evk_AbCdEfGhIjKlMnOpQrStUvWxYz0123 2piBx",
        "evk_ÀbCdEfGhIjKlMnOpQrStUvWxYz01232piBx",
    ])
    func malformedTokensAreRefused(text: String) {
        #expect(APIKeyToken(parsing: text) == nil)
    }

    @Test func theDigestIsSHA256OfTheWholeKey() throws {
        let token = try #require(APIKeyToken(parsing: "evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe"))
        #expect(token.digest.count == 32)
        // printf %s evk_AbCdEfGhIjKlMnOpQrStUvWxYz01232piBxe | sha256sum
        #expect(token.digest.map { String(format: "%02x", $0) }.joined() == Self.expectedDigest)
    }

    @Test func describingAKeyNeverShowsItsSecret() {
        let token = APIKeyToken.generate()
        #expect(!"\(token)".contains(token.value))
        #expect(!String(reflecting: token).contains(token.value.dropFirst(8)))
    }

    static let expectedDigest = "0f11fe57c31ed34d2ffded6d2fc63c6a17d6401f36c8b930b9f0c2e92450c32a"
}
