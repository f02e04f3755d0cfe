import NIOCore

/// A value of RESP2, the Redis serialization protocol (https://redis.io/docs/latest/develop/reference/protocol-spec/):
/// what a server answers to a command.
public enum RESPValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// nil: the null bulk string (`$-1`), as `GET` answers for a missing key.
    case bulkString([UInt8]?)
    /// nil: the null array (`*-1`).
    case array([RESPValue]?)

    /// The value as an integer, when it is one.
    public var integer: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The value as text, when it is a simple or non-null bulk string.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The elements, when the value is a non-null array.
    public var elements: [RESPValue]? {
        if case .array(let values?) = self { values } else { nil }
    }
}

/// Why a command has no answer.
public enum RedisError: Error, Equatable, CustomStringConvertible {
    /// The server answered with an error (`-ERR ...`, `-NOSCRIPT ...`, `-WRONGPASS ...`).
    case server(String)
    /// No answer within the client's timeout; the connection was closed (it reconnects on the next command).
    case timeout
    /// The connection closed before the answer came.
    case connectionClosed
    /// The server sent something that is not RESP2, or more than this client accepts.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis answered: \(message)"
        case .timeout: "Redis did not answer in time"
        case .connectionClosed: "the connection to Redis closed"
        case .protocolViolation(let problem): "Redis sent what this client cannot read: \(problem)"
        }
    }
}

/// Reads RESP2 values from the connection as they arrive, however the bytes are split.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    /// Far above anything the ledger reads: an answer past these is refused, not buffered.
    static let maxLine = 64 * 1024
    static let maxBulkLength = 16 * 1024 * 1024
    static let maxElements = 1024 * 1024
    static let maxDepth = 8

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var copy = buffer
        guard let value = try Self.parse(&copy, depth: 0) else { return .needMoreData }
        buffer.moveReaderIndex(to: copy.readerIndex)
        context.fireChannelRead(Self.wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// One whole value from the front of `buffer`, or nil (and `buffer` in any state) if more bytes are needed.
    static func parse(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard let type = buffer.readInteger(as: UInt8.self), let line = try readLine(&buffer) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            return .simpleString(line)
        case UInt8(ascii: "-"):
            return .error(line)
        case UInt8(ascii: ":"):
            guard let value = Int64(line) else { throw RedisError.protocolViolation("an integer of \"\(line.prefix(40))\"") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(line), (-1...maxBulkLength).contains(length) else {
                throw RedisError.protocolViolation("a bulk string of length \"\(line.prefix(40))\"")
            }
            if length == -1 { return .bulkString(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw RedisError.protocolViolation("a bulk string without its CRLF") }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line), (-1...maxElements).contains(count) else {
                throw RedisError.protocolViolation("an array of length \"\(line.prefix(40))\"")
            }
            if count == -1 { return .array(nil) }
            guard depth < maxDepth else { throw RedisError.protocolViolation("arrays nested deeper than \(maxDepth)") }
            var elements: [RESPValue] = []
            elements.reserveCapacity(min(count, 64))
            for _ in 0..<count {
                guard let element = try parse(&buffer, depth: depth + 1) else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default:
            throw RedisError.protocolViolation("a value of type byte \(type)")
        }
    }

    /// The text up to the next CRLF, consumed with it; nil if the CRLF has not arrived yet.
    static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: UInt8(ascii: "\r")) else {
            if view.count > maxLine { throw RedisError.protocolViolation("a line longer than \(maxLine) bytes") }
            return nil
        }
        let length = cr - view.startIndex
        guard length + 2 <= view.count else { return nil }
        guard view[cr + 1] == UInt8(ascii: "\n") else { throw RedisError.protocolViolation("a CR without its LF") }
        let line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}

/// A command as RESP2 sends it: an array of bulk strings.
enum RESPCommand {
    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeString("*\(arguments.count)\r\n")
        for argument in arguments {
            buffer.writeString("$\(argument.utf8.count)\r\n")
            buffer.writeString(argument)
            buffer.writeString("\r\n")
        }
    }
}
