import Logging
import Shared
import Synchronization

/// Collects every log line a test's application writes, at trace level, as JSON lines.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// A logger whose lines land here.
    public func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in
            JSONLogHandler(label: label) { [weak self] line in self?.lines.withLock { $0.append(line) } }
        }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far.
    public var all: [String] {
        lines.withLock { $0 }
    }
}
