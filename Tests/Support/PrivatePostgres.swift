import Foundation

/// A PostgreSQL cluster of a test's own, made and driven with the same shell functions as
/// `scripts/run` (`scripts/lib/common.sh`), for tests that stop and start the database.
public struct PrivatePostgres: Sendable {
    public let directory: String
    public let port: Int
    public var url: String { "postgres://evalyo:evalyo@127.0.0.1:\(port)/postgres" }

    /// Creates and starts a new cluster.
    public static func start() async throws -> PrivatePostgres {
        let directory = "/tmp/evalyo-pg-\(UUID().uuidString.prefix(8))"
        let cluster = PrivatePostgres(directory: directory, port: try freePort())
        try await cluster.shell(
            "mkdir -p \(directory) && chmod 755 \(directory) && pg_init \(directory)/pg \(cluster.port) evalyo evalyo && pg_start \(directory)/pg")
        return cluster
    }

    /// Stops the server (fast shutdown: open connections are closed).
    public func stop() async throws { try await shell("pg_stop \(directory)/pg") }

    /// Starts it again.
    public func restart() async throws { try await shell("pg_start \(directory)/pg") }

    /// Freezes the server and every backend of it (SIGSTOP): connections stay open and every
    /// query hangs, as when the database's host stalls.
    public func pause() async throws { try await signalAll("STOP") }

    /// Lets a paused server go on (SIGCONT).
    public func resume() async throws { try await signalAll("CONT") }

    private func signalAll(_ signal: String) async throws {
        try await shell("pid=$(head -1 \(directory)/pg/data/postmaster.pid) && pkill -\(signal) -P \"$pid\"; kill -\(signal) \"$pid\"")
    }

    /// Stops it and removes its files.
    public func remove() async throws { try await shell("pg_stop \(directory)/pg; rm -rf \(directory) \(directory).log") }

    private func shell(_ command: String) async throws {
        let library = FileManager.default.currentDirectoryPath + "/scripts/lib/common.sh"
        // The server outlives this shell. It must inherit none of the shell's descriptors: Foundation
        // learns that a child exited when the last copy of one of them closes.
        let closeInherited = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null"#
        let result = try await ChildProcess.run(
            URL(fileURLWithPath: "/bin/bash"),
            arguments: ["-c", "\(closeInherited); (. \(library) && \(command)) </dev/null >>\(directory).log 2>&1"], environment: [:]
        )
        guard result.status == 0 else {
            throw TestSetupError("\(command) failed: \((try? String(contentsOfFile: directory + ".log", encoding: .utf8)) ?? result.output)")
        }
    }
}
