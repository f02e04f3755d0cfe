import Foundation
import PostgresNIO

/// Turns `postgres://user:password@host:port/db?sslmode=…` into a `PostgresClient` configuration.
public enum DatabaseURL {
    /// Parses `url`; `sslmode` may be `disable` (the default, for loopback), `prefer` or `require`.
    public static func configuration(from url: String, poolSize: Int = 10) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty
        else {
            throw ConfigurationError("DATABASE_URL must look like postgres://user:password@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else {
            throw ConfigurationError("DATABASE_URL must name a database, as in postgres://user:password@host:port/database")
        }
        let tls: PostgresClient.Configuration.TLS
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable" {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require": tls = .require(.makeClientConfiguration())
        case let other: throw ConfigurationError("DATABASE_URL sslmode must be disable, prefer or require (got \"\(other)\")")
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            tls: tls
        )
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
