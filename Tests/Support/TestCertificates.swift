import Foundation

/// A throwaway certificate authority and a server certificate it signs, made by the same shell
/// helper the scripts use (`make_certificates` in scripts/lib/common.sh, with openssl).
public struct TestCertificates: Sendable {
    public let directory: URL
    public var authority: String { directory.appendingPathComponent("ca.crt").path }
    public var certificate: String { directory.appendingPathComponent("tls.crt").path }
    public var key: String { directory.appendingPathComponent("tls.key").path }

    /// Makes a new authority and a certificate naming `names` (host names or IP addresses).
    public static func make(naming names: [String]) throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-tls-\(UUID().uuidString)")
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            [
                "-c", ". \"$0\" && make_certificates \"$@\"", repository.appendingPathComponent("scripts/lib/common.sh").path,
                directory.path,
            ] + names
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestSetupError("make_certificates failed (is openssl installed?)") }
        return TestCertificates(directory: directory)
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
