import Foundation
import Hummingbird
import Logging

/// Settings every service reads from its environment (docs/architecture.md).
public struct ServiceConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var databaseURL: String
    public var databasePoolSize: Int
    public var logLevel: Logger.Level
    /// How long answers to requests with an `Idempotency-Key` are kept (`IDEMPOTENCY_RETENTION_SECONDS`, 24 h).
    public var idempotencyRetention: Duration = .seconds(86_400)
    /// How long SIGTERM waits for in-flight work before cancelling it (`SHUTDOWN_GRACE_SECONDS`, 15).
    public var shutdownGrace: Duration = .seconds(15)

    public init(host: String, port: Int, databaseURL: String, databasePoolSize: Int = 10, logLevel: Logger.Level = .info) {
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.databasePoolSize = databasePoolSize
        self.logLevel = logLevel
    }

    /// Reads `HOST`, `PORT`, `DATABASE_URL`, `DATABASE_POOL_SIZE`, `LOG_LEVEL`,
    /// `IDEMPOTENCY_RETENTION_SECONDS` and `SHUTDOWN_GRACE_SECONDS`, with local defaults.
    public init(environment: Environment = Environment(), defaultPort: Int, defaultDatabase: String) throws {
        self.host = environment.get("HOST") ?? "127.0.0.1"
        self.port = try environment.integer("PORT", default: defaultPort, in: 1...65535)
        self.databaseURL = environment.get("DATABASE_URL") ?? "postgres://evalyo:evalyo@127.0.0.1:5433/\(defaultDatabase)"
        if let password = URLComponents(string: databaseURL)?.password, let mark = SecretPolicy.placeholderMark(in: password) {
            throw ConfigurationError(
                "DATABASE_URL's password is a placeholder (it contains \"\(mark)\"): generate real secrets with scripts/make-env")
        }
        self.databasePoolSize = try environment.integer("DATABASE_POOL_SIZE", default: 10, in: 1...500)
        let level = environment.get("LOG_LEVEL") ?? "info"
        guard let logLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical (got \"\(level)\")")
        }
        self.logLevel = logLevel
        self.idempotencyRetention = .seconds(try environment.integer("IDEMPOTENCY_RETENTION_SECONDS", default: 86_400, in: 1...604_800))
        self.shutdownGrace = .seconds(try environment.integer("SHUTDOWN_GRACE_SECONDS", default: 15, in: 1...300))
    }
}

/// A setting that is missing or malformed; its message names the variable.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Environment {
    /// Reads an integer setting, refusing values outside `range` with a message naming the variable.
    public func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = self.get(name), !raw.isEmpty else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            throw ConfigurationError("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound) (got \"\(raw)\")")
        }
        return parsed
    }

    /// Reads a boolean setting (`true`/`false`, `1`/`0`, `yes`/`no`).
    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let raw = self.get(name)?.lowercased(), !raw.isEmpty else { return value }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError("\(name) must be true or false (got \"\(raw)\")")
        }
    }
}
