import Foundation
import NIOSSL
import PostgresNIO

/// Turns `postgres://user:password@host:port/db?sslmode=…&sslrootcert=…` into a `PostgresClient`
/// configuration, with libpq's meaning of each `sslmode` (docs/DEPLOYMENT.md):
/// - `disable` (the default, for loopback): plain TCP;
/// - `prefer`: TLS when the server offers it, the server not verified;
/// - `require`: TLS or no connection, the server not verified (verified against `sslrootcert`
///   when one is given, as libpq does);
/// - `verify-ca`: TLS, the server's certificate chain verified against `sslrootcert` (a PEM file;
///   the system's roots when it is absent or `system`);
/// - `verify-full`: `verify-ca`, and the certificate must name the host of the URL.
public enum DatabaseURL {
    /// Parses `url`, refusing what it cannot honour (an unknown mode, a missing CA file).
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
        let query = components.queryItems ?? []
        let mode = query.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let rootCertificate = query.first(where: { $0.name == "sslrootcert" })?.value
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            tls: try tls(mode: mode, rootCertificate: rootCertificate, host: host)
        )
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// The TLS arrangement of one `sslmode`, with its trust roots.
    static func tls(mode: String, rootCertificate: String?, host: String) throws -> PostgresClient.Configuration.TLS {
        switch mode {
        case "disable":
            return .disable
        case "prefer":
            return .prefer(try client(verification: .none, rootCertificate: nil))
        case "require":
            // libpq: with a root certificate, require verifies the chain as verify-ca does.
            return .require(try client(verification: rootCertificate == nil ? .none : .noHostnameVerification, rootCertificate: rootCertificate))
        case "verify-ca":
            return .require(try client(verification: .noHostnameVerification, rootCertificate: rootCertificate))
        case "verify-full":
            // The host is checked against the certificate through SNI's name, which cannot be an address.
            guard !isAddress(host) else {
                throw ConfigurationError(
                    "DATABASE_URL sslmode=verify-full needs the database's host name, as its certificate names it (got the address \(host))")
            }
            return .require(try client(verification: .fullVerification, rootCertificate: rootCertificate))
        default:
            throw ConfigurationError("DATABASE_URL sslmode must be disable, prefer, require, verify-ca or verify-full (got \"\(mode)\")")
        }
    }

    /// A client TLS configuration (TLS 1.2 or later) trusting `rootCertificate`'s PEM file, or the system's roots.
    static func client(verification: CertificateVerification, rootCertificate: String?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = verification
        if let path = rootCertificate, path != "system" {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigurationError("DATABASE_URL sslrootcert \(path) is not a readable file")
            }
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
            } catch {
                throw ConfigurationError("DATABASE_URL sslrootcert \(path) holds no PEM certificate")
            }
        }
        return tls
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }
}
