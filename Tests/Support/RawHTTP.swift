import Foundation

/// Bytes sent as they are over a plain socket, for requests no HTTP client would send (bad
/// request lines, NUL bytes, malformed headers), and the answer's parts.
public struct RawHTTP: Sendable {
    public let statusLine: String
    public let headers: [String: String]
    public let body: String

    /// The status code of the answer, 0 when there was none.
    public var status: Int { Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0 }

    /// Sends `request` to 127.0.0.1:`port` and reads the answer until its body is complete or the
    /// peer closes (at most 10 seconds).
    public static func exchange(port: Int, _ request: [UInt8]) throws -> RawHTTP {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw POSIXError(.ECONNREFUSED) }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            if let answer = parse(received), answer.complete { break }
        }
        return parse(received)?.answer ?? RawHTTP(statusLine: "", headers: [:], body: String(decoding: received, as: UTF8.self))
    }

    /// The answer in `bytes` and whether its body is all there.
    static func parse(_ bytes: [UInt8]) -> (answer: RawHTTP, complete: Bool)? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(text[end.upperBound...])
        let complete = headers["content-length"].flatMap(Int.init).map { body.utf8.count >= $0 } ?? false
        return (RawHTTP(statusLine: lines[0], headers: headers, body: body), complete)
    }
}
