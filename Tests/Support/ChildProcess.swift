import Foundation
import Shared
import Synchronization

/// One of the package's real executables (or nginx), run as a child process for a test.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    /// Where its standard output and error go, for assertions on logs.
    public let outputURL: URL

    /// The directory of the built executables: `EVALYO_BIN_DIR`, else the debug build folder.
    public static var binDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["EVALYO_BIN_DIR"] ?? ".build/debug")
    }

    /// Starts `executable` with `arguments` and exactly `environment` (plus this process's PATH
    /// unless it names one), in `directory` when given.
    public init(_ executable: URL, arguments: [String] = [], environment: [String: String] = [:], directory: URL? = nil) throws {
        outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-\(UUID()).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let output = try FileHandle(forWritingTo: outputURL)
        process.executableURL = executable
        process.arguments = arguments
        var env = environment
        env["PATH"] = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Runs a command to its end and returns its exit status and output.
    public static func run(_ executable: URL, arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable, arguments: arguments, environment: environment)
        let status = try await child.waitForExit(timeout: .seconds(60))
        return (status, child.output)
    }

    /// Everything it has written so far.
    public var output: String {
        (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` (SIGTERM by default).
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status; kills it if it outlives `timeout`.
    public func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                signal(SIGKILL)
                throw TimeoutError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// Makes sure the process does not outlive the test run, even when nothing owns it then.
    public func stopWhenTestsExit() {
        let pid = process.processIdentifier
        ChildProcess.orphans.withLock { pids in
            if pids.isEmpty {
                atexit {
                    for pid in ChildProcess.orphans.withLock({ $0 }) { kill(pid, SIGTERM) }
                }
            }
            pids.append(pid)
        }
    }

    private static let orphans = Mutex<[pid_t]>([])

    deinit {
        // SIGTERM, not SIGKILL: nginx then takes its workers down with it.
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }
}
