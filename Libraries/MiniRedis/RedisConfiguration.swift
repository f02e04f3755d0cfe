import Foundation

/// Where a Redis server is and how to use it: `redis://[[user]:password@]host[:port][/db]`.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int
    /// Connections kept open; each carries many commands at once.
    public var connections: Int
    /// The longest a command (or a connection, with its sign-in) may take.
    public var timeout: Duration

    public init(
        host: String, port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0, connections: Int = 4,
        timeout: Duration = .milliseconds(100)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connections = connections
        self.timeout = timeout
    }

    /// Reads a `redis://` URL; throws, saying why, when it is not one this client can use.
    public init(url: String, connections: Int = 4, timeout: Duration = .milliseconds(100)) throws(RedisURLError) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else { throw RedisURLError("is not a URL") }
        guard scheme == "redis" else {
            throw RedisURLError(
                scheme == "rediss"
                    ? "uses TLS (rediss://), which this client does not speak: reach Redis over a private network, or through a TLS tunnel"
                    : "must start with redis://")
        }
        guard let host = parts.host, !host.isEmpty else { throw RedisURLError("names no host") }
        let path = parts.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path).map({ (0...15).contains($0) }) == true else { throw RedisURLError("names a database that is not 0 to 15") }
        self.init(
            host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: parts.port ?? 6379,
            username: parts.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding },
            password: parts.password.flatMap { $0.removingPercentEncoding }, database: Int(path) ?? 0, connections: connections,
            timeout: timeout)
    }
}

extension RedisConfiguration: CustomStringConvertible {
    /// Where it points, without the password (the configuration may be logged).
    public var description: String {
        "redis://\(username.map { "\($0)@" } ?? "")\(host):\(port)/\(database)\(password == nil ? "" : " (with a password)")"
    }
}

/// Why a Redis URL cannot be used.
public struct RedisURLError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
