import Foundation

/// The Redis server `scripts/test` starts for the whole run (`TEST_REDIS_URL`), shared by the
/// tests that need one; each uses keys of its own.
public enum TestRedis {
    /// Its URL; a clear failure when the run has none.
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TEST_REDIS_URL"], !url.isEmpty else {
            throw TestSetupError("TEST_REDIS_URL is not set: run the tests through scripts/test, or start redis-server and set it")
        }
        return url
    }

    /// The redis-server executable: `EVALYO_REDIS_SERVER`, else Debian's.
    public static var serverPath: String {
        ProcessInfo.processInfo.environment["EVALYO_REDIS_SERVER"] ?? "/usr/bin/redis-server"
    }
}

/// A redis-server of a test's own, for tests that pause, stop or restart it: no persistence,
/// on loopback, on a free port.
public final class PrivateRedis: Sendable {
    public let port: Int
    public let password: String?
    let server: ChildProcess

    /// `redis://[:password@]127.0.0.1:port`.
    public var url: String { "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)" }

    /// Starts a server (on `port`, or a free one) and waits until it accepts connections.
    public init(port: Int? = nil, password: String? = nil) async throws {
        self.port = try port ?? freePort()
        self.password = password
        var arguments = ["--port", "\(self.port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
        if let password { arguments += ["--requirepass", password] }
        server = try ChildProcess(URL(fileURLWithPath: TestRedis.serverPath), arguments: arguments)
        server.stopWhenTestsExit()
        let deadline = ContinuousClock.now + .seconds(10)
        while !server.output.contains("Ready to accept connections") {
            guard server.process.isRunning, ContinuousClock.now < deadline else {
                throw TestSetupError("redis-server did not start: \(server.output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Freezes it (SIGSTOP): connections stay open, and no command is answered.
    public func pause() { server.signal(SIGSTOP) }

    /// Lets it go on (SIGCONT).
    public func resume() { server.signal(SIGCONT) }

    /// Stops it (SIGKILL: it keeps nothing on disk) and waits until it has exited.
    public func stop() async throws {
        server.signal(SIGKILL)
        _ = try await server.waitForExit(timeout: .seconds(10))
    }
}
