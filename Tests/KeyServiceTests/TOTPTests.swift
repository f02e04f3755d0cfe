import Foundation
import Testing

@testable import KeyService

/// The one-time passwords of two-factor sign-in: RFC 4226's and RFC 6238's own test vectors,
/// RFC 4648's base 32, and agreement with pyotp, an implementation that is not ours.
@Suite("Two-factor codes follow RFC 6238 and agree with pyotp")
struct TOTPTests {
    @Test func hotpMatchesRFC4226AppendixD() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        #expect((0..<10).map { totp.code(step: Int64($0)) } == expected)
    }

    @Test(arguments: [
        (59, "94287082", "46119246", "90693936"), (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"), (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"), (20_000_000_000, "65353130", "77737706", "47863826"),
    ])
    func totpMatchesRFC6238AppendixB(time: Int, sha1: String, sha256: String, sha512: String) {
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        let seed = "1234567890123456789012345678901234567890123456789012345678901234"
        #expect(TOTP(secret: Array(seed.prefix(20).utf8), algorithm: .sha1, digits: 8).code(at: date) == sha1)
        #expect(TOTP(secret: Array(seed.prefix(32).utf8), algorithm: .sha256, digits: 8).code(at: date) == sha256)
        #expect(TOTP(secret: Array(seed.utf8), algorithm: .sha512, digits: 8).code(at: date) == sha512)
    }

    @Test func base32MatchesRFC4648AndReadsWhatPeopleType() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("mzxw 6ytb oi==") == Array("foobar".utf8))
        #expect(Base32.decode("MZXW1") == nil)
        let secret = TOTP.newSecret()
        #expect(secret.count == 20 && Base32.decode(Base32.encode(secret)) == secret)
    }

    @Test func aCodeMatchesItsStepWithinOneStepOfDriftAndNothingElse() {
        let totp = TOTP(secret: TOTP.newSecret())
        let now = Date(timeIntervalSince1970: 1_800_000_015)
        let step = totp.step(at: now)
        #expect(totp.matchingStep(totp.code(step: step), at: now) == step)
        #expect(totp.matchingStep(totp.code(step: step - 1), at: now) == step - 1)
        #expect(totp.matchingStep(totp.code(step: step + 1), at: now) == step + 1)
        let stale = totp.code(step: step - 2)
        if ![step - 1, step, step + 1].map(totp.code(step:)).contains(stale) { #expect(totp.matchingStep(stale, at: now) == nil) }
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] { #expect(totp.matchingStep(bad, at: now) == nil, "\(bad)") }
    }

    @Test func theOtpauthURLNamesTheIssuerAccountAndSecret() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(
            totp.otpauthURL(issuer: "Evalyo", account: "ada@example.com")
                == "otpauth://totp/Evalyo:ada@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Evalyo"
        )
        #expect(totp.otpauthURL(issuer: "Evalyo", account: "a+b@x.io").hasPrefix("otpauth://totp/Evalyo:a%2Bb@x.io?secret="))
    }

    /// pyotp (PyPI), run by the Python scripts/test installs, computes the codes of a fresh secret
    /// at 200 moments (the epoch, step boundaries, a second either side, now, far ahead), and
    /// reads our otpauth URL: both must agree with ours.
    @Test func pyotpComputesTheSameCodesAndReadsTheSameURL() throws {
        let python = try #require(ProcessInfo.processInfo.environment["EVALYO_PYTHON"], "EVALYO_PYTHON (a Python with pyotp) is set by scripts/test")
        let totp = TOTP(secret: TOTP.newSecret())
        var times: [Int] = [0, 1, 29, 30, 31, 59, 60, 1_111_111_111, 2_000_000_000, Int(Date().timeIntervalSince1970)]
        var generator = SystemRandomNumberGenerator()
        while times.count < 200 {
            let boundary = Int.random(in: 1...70_000_000, using: &generator) * 30
            times += [boundary - 1, boundary, boundary + 1]
        }
        let url = totp.otpauthURL(issuer: "Evalyo", account: "ada@example.com")
        let script = """
            import sys, pyotp
            url, times = sys.argv[1], sys.argv[2:]
            totp = pyotp.parse_uri(url)
            print(totp.name, totp.issuer, totp.secret)
            for t in times: print(totp.at(int(t)))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, url] + times.map(String.init)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first == "ada@example.com Evalyo \(Base32.encode(totp.secret))")
        #expect(Array(lines.dropFirst()) == times.map { totp.code(at: Date(timeIntervalSince1970: TimeInterval($0))) })
    }
}
