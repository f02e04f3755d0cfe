import Foundation
import Testing

@testable import KeyService

/// Our QR codes, read by zbar (Debian's zbar-tools, which scripts/test installs): texts of
/// every length from version 1 to version 10, at level M and at level L, and an otpauth URL.
@Suite("QR codes read back by zbar")
struct QRCodeTests {
    /// zbarimg, where scripts/test installs it.
    static let zbarimg = "/usr/bin/zbarimg"

    /// The code as a binary PGM image: four pixels a module, with its four-module quiet zone.
    static func pgm(_ code: QRCode, scale: Int = 4) -> Data {
        let side = (code.size + 8) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<code.size {
            for x in 0..<code.size where code.modules[y][x] {
                for dy in 0..<scale {
                    for dx in 0..<scale { pixels[((y + 4) * scale + dy) * side + (x + 4) * scale + dx] = 0 }
                }
            }
        }
        return Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)
    }

    /// What zbar reads in the image of `code`.
    static func read(_ code: QRCode) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID()).pgm")
        try pgm(code).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: zbarimg)
        process.arguments = ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    static let lengths = [1, 10, 14, 20, 26, 40, 42, 60, 62, 80, 84, 100, 106, 120, 122, 150, 152, 170, 180, 200, 213, 230, 250, 271]

    @Test(arguments: lengths)
    func zbarReadsWhatWeDraw(length: Int) throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/?&=.-_@%")
        var generator = SystemRandomNumberGenerator()
        let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
        let code = try QRCode(text: text)
        #expect(code.size == 17 + 4 * code.version)
        #expect(try Self.read(code) == text, "version \(code.version), level \(code.level)")
    }

    @Test func anOtpauthURLIsReadBackAndTooLongATextIsRefused() throws {
        let url = TOTP(secret: TOTP.newSecret()).otpauthURL(issuer: "Evalyo", account: "ada.lovelace+console@example.com")
        #expect(try Self.read(try QRCode(text: url)) == url)
        #expect(throws: QRCode.TooLong.self) { try QRCode(text: String(repeating: "x", count: 272)) }
        let svg = try QRCode(text: url).svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.hasSuffix("</svg>"))
    }
}
