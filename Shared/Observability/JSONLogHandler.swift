import Foundation
import Logging
import Synchronization

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

    private static let lock = Mutex(())

    /// Writes a whole line to standard error at once, so lines of concurrent requests never interleave.
    public static let standardError: @Sendable (String) -> Void = { line in
        lock.withLock { _ in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
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
