import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One JSON object per line on standard error: `ts`, `level`, `service`, `msg`, `request_id`, metadata.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let write: @Sendable (String) -> Void

    public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line for one event.
    public func log(event: LogEvent) {
        var fields = self.metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        var line = "{\"ts\":\(Self.quote(Self.timestamp()))"
        line += ",\"level\":\(Self.quote(event.level.rawValue)),\"service\":\(Self.quote(label))"
        line += ",\"msg\":\(Self.quote(event.message.description))"
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            // Hummingbird keeps the request id under its own key; logs call it request_id.
            let name = key == "hb.request.id" ? "request_id" : key
            line += ",\(Self.quote(name)):\(Self.quote(value.description))"
        }
        line += "}\n"
        write(line)
    }

    /// Hands a whole line to `LogWriter.standardError`, which writes lines in order and never
    /// interleaves them, off the request's path.
    public static let standardError: @Sendable (String) -> Void = { line in
        LogWriter.standardError.append(line)
    }

    /// The time now in UTC, as `2026-12-01T10:41:07.123Z`, made from the clock without a
    /// formatter (Foundation's ISO-8601 style cost a few microseconds a line).
    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        var seconds = time_t(now.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = min(999, Int((now - now.rounded(.down)) * 1000))
        var text = ""
        text.reserveCapacity(24)
        func digits(_ value: Int, _ count: Int) {
            var remaining = value
            var scratch = [Character](repeating: "0", count: count)
            for index in stride(from: count - 1, through: 0, by: -1) {
                scratch[index] = Character(Unicode.Scalar(UInt8(48 + remaining % 10)))
                remaining /= 10
            }
            text.append(contentsOf: scratch)
        }
        digits(Int(parts.tm_year) + 1900, 4)
        text.append("-")
        digits(Int(parts.tm_mon) + 1, 2)
        text.append("-")
        digits(Int(parts.tm_mday), 2)
        text.append("T")
        digits(Int(parts.tm_hour), 2)
        text.append(":")
        digits(Int(parts.tm_min), 2)
        text.append(":")
        digits(Int(parts.tm_sec), 2)
        text.append(".")
        digits(milliseconds, 3)
        text.append("Z")
        return text
    }

    /// A JSON string literal for `text`.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
