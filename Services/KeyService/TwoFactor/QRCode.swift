import Foundation

/// A QR code (ISO/IEC 18004) of a short text in byte mode, versions 1 to 10, error correction
/// level M (L when M does not fit), drawn as SVG: the smallest piece that shows an `otpauth://`
/// URL to an authenticator app. No QR package resolves here; a library such as swift-qrcode-generator
/// would replace this. Checked by decoding what it draws with zbar (Tests/KeyServiceTests/QRCodeTests).
struct QRCode: Sendable {
    enum Level: Int, Sendable {
        // The two format bits of each level.
        case L = 1
        case M = 0
    }

    /// Error-correction blocks of one version and level: codewords of error correction per
    /// block, and the data codewords of each block.
    struct Blocks: Sendable {
        let eccPerBlock: Int
        let dataPerBlock: [Int]
        var dataCodewords: Int { dataPerBlock.reduce(0, +) }
    }

    /// ISO/IEC 18004 table 9, versions 1 to 10.
    static let blocksM: [Blocks] = [
        Blocks(eccPerBlock: 10, dataPerBlock: [16]), Blocks(eccPerBlock: 16, dataPerBlock: [28]), Blocks(eccPerBlock: 26, dataPerBlock: [44]),
        Blocks(eccPerBlock: 18, dataPerBlock: [32, 32]), Blocks(eccPerBlock: 24, dataPerBlock: [43, 43]),
        Blocks(eccPerBlock: 16, dataPerBlock: [27, 27, 27, 27]), Blocks(eccPerBlock: 18, dataPerBlock: [31, 31, 31, 31]),
        Blocks(eccPerBlock: 22, dataPerBlock: [38, 38, 39, 39]), Blocks(eccPerBlock: 22, dataPerBlock: [36, 36, 36, 37, 37]),
        Blocks(eccPerBlock: 26, dataPerBlock: [43, 43, 43, 43, 44]),
    ]
    static let blocksL: [Blocks] = [
        Blocks(eccPerBlock: 7, dataPerBlock: [19]), Blocks(eccPerBlock: 10, dataPerBlock: [34]), Blocks(eccPerBlock: 15, dataPerBlock: [55]),
        Blocks(eccPerBlock: 20, dataPerBlock: [80]), Blocks(eccPerBlock: 26, dataPerBlock: [108]), Blocks(eccPerBlock: 18, dataPerBlock: [68, 68]),
        Blocks(eccPerBlock: 20, dataPerBlock: [78, 78]), Blocks(eccPerBlock: 24, dataPerBlock: [97, 97]),
        Blocks(eccPerBlock: 30, dataPerBlock: [116, 116]), Blocks(eccPerBlock: 18, dataPerBlock: [68, 68, 69, 69]),
    ]
    /// Centres of the alignment patterns (table E.1), versions 2 to 10.
    static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    struct TooLong: Error {}

    let version: Int
    let level: Level
    let size: Int
    /// Dark modules, row by row.
    private(set) var modules: [[Bool]]
    private var isFunction: [[Bool]]

    /// The code of `text`'s UTF-8 bytes in the smallest version that holds them.
    init(text: String) throws {
        let bytes = Array(text.utf8)
        var choice: (Int, Level, Blocks)?
        search: for level in [Level.M, .L] {
            for version in 1...10 {
                let blocks = (level == .M ? Self.blocksM : Self.blocksL)[version - 1]
                let countBits = version < 10 ? 8 : 16
                if 4 + countBits + 8 * bytes.count <= blocks.dataCodewords * 8 {
                    choice = (version, level, blocks)
                    break search
                }
            }
        }
        guard let (version, level, blocks) = choice else { throw TooLong() }
        self.version = version
        self.level = level
        self.size = 17 + 4 * version
        self.modules = Array(repeating: Array(repeating: false, count: size), count: size)
        self.isFunction = modules
        drawFunctionPatterns()
        place(Self.interleaved(Self.dataCodewords(bytes, version: version, blocks: blocks), blocks: blocks))
        chooseMask()
    }

    /// Mode, count, the bytes, terminator and padding, as codewords.
    static func dataCodewords(_ bytes: [UInt8], version: Int, blocks: Blocks) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = blocks.dataCodewords * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while codewords.count < blocks.dataCodewords {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// The data split into blocks, each followed by its Reed-Solomon codewords, interleaved.
    static func interleaved(_ data: [UInt8], blocks: Blocks) -> [UInt8] {
        let divisor = ReedSolomon.divisor(degree: blocks.eccPerBlock)
        var offset = 0
        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        for length in blocks.dataPerBlock {
            let block = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, divisor: divisor))
        }
        var result: [UInt8] = []
        for i in 0..<(blocks.dataPerBlock.max() ?? 0) {
            for block in dataBlocks where i < block.count { result.append(block[i]) }
        }
        for i in 0..<blocks.eccPerBlock {
            for block in eccBlocks { result.append(block[i]) }
        }
        return result
    }

    // MARK: Drawing

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool) {
        modules[y][x] = dark
        isFunction[y][x] = true
    }

    private mutating func drawFunctionPatterns() {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] { drawFinder(x, y) }
        let centres = Self.alignment[version - 1]
        for cx in centres {
            for cy in centres {
                let nearFinder = (cx == 6 && cy == 6) || (cx == 6 && cy == centres.last!) || (cx == centres.last! && cy == 6)
                if !nearFinder { drawAlignment(cx, cy) }
            }
        }
        drawFormat(mask: 0)
        drawVersion()
    }

    /// A finder pattern and its light separator, centred on (x, y).
    private mutating func drawFinder(_ x: Int, _ y: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let (px, py) = (x + dx, y + dy)
                guard (0..<size).contains(px), (0..<size).contains(py) else { continue }
                let ring = max(abs(dx), abs(dy))
                set(px, py, ring != 2 && ring != 4)
            }
        }
    }

    private mutating func drawAlignment(_ x: Int, _ y: Int) {
        for dy in -2...2 {
            for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
        }
    }

    /// The 15 format bits (level and mask under BCH(15, 5), masked with 0x5412), twice, and the dark module.
    private mutating func drawFormat(mask: Int) {
        let data = level.rawValue << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// The 18 version bits (BCH(18, 6)) of versions 7 and above, twice.
    private mutating func drawVersion() {
        guard version >= 7 else { return }
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = version << 12 | remainder
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let (a, b) = (size - 11 + i % 3, i / 3)
            set(a, b, dark)
            set(b, a, dark)
        }
    }

    /// The codewords in the zigzag of two-module columns, right to left, skipping the timing column.
    private mutating func place(_ codewords: [UInt8]) {
        var index = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x], index < codewords.count * 8 {
                        modules[y][x] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                        index += 1
                    }
                }
            }
            right -= 2
        }
    }

    static func masked(_ mask: Int, _ x: Int, _ y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (x / 3 + y / 2) % 2 == 0
        case 5: x * y % 2 + x * y % 3 == 0
        case 6: (x * y % 2 + x * y % 3) % 2 == 0
        default: ((x + y) % 2 + x * y % 3) % 2 == 0
        }
    }

    private mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] && Self.masked(mask, x, y) { modules[y][x].toggle() }
        }
    }

    /// The mask of least penalty (ISO/IEC 18004 7.8.3), applied, with its format bits.
    private mutating func chooseMask() {
        var best = (mask: 0, penalty: Int.max)
        for mask in 0..<8 {
            apply(mask: mask)
            drawFormat(mask: mask)
            let score = penalty()
            if score < best.penalty { best = (mask, score) }
            apply(mask: mask)
        }
        apply(mask: best.mask)
        drawFormat(mask: best.mask)
    }

    /// Runs of five or more, 2×2 blocks, finder-like sequences and the balance of dark and light.
    func penalty() -> Int {
        var score = 0
        let columns = (0..<size).map { x in (0..<size).map { y in modules[y][x] } }
        for line in modules + columns {
            var run = 1
            for i in 1..<size {
                if line[i] == line[i - 1] {
                    run += 1
                } else {
                    if run >= 5 { score += run - 2 }
                    run = 1
                }
            }
            if run >= 5 { score += run - 2 }
            let padded = Array(repeating: false, count: 4) + line + Array(repeating: false, count: 4)
            for i in 0...(padded.count - 11) {
                let window = Array(padded[i..<i + 11])
                if window == Self.finderLike || window == Self.finderLike.reversed() { score += 40 }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = modules[y][x]
                if modules[y][x + 1] == colour, modules[y + 1][x] == colour, modules[y + 1][x + 1] == colour { score += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let total = size * size
        // Ten points for each full 5 % the dark share is away from half.
        score += max(0, (abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
        return score
    }

    static let finderLike: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]

    /// The code as an SVG image with a quiet zone of four modules.
    func svg() -> String {
        let side = size + 8
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }
}
