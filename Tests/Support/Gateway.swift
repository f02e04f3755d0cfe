import Foundation

/// nginx running `gateway/nginx.conf`, rendered as `scripts/run` renders it.
public struct Gateway: Sendable {
    let process: ChildProcess
    let prefix: URL
    public let url: String

    /// Starts nginx in front of the given service ports (a port nothing listens on stands for a stopped service).
    public init(keyServicePort: Int, catalogPort: Int, interviewsPort: Int? = nil, reportsPort: Int? = nil) throws {
        let port = try freePort()
        let env = ProcessInfo.processInfo.environment
        let template = URL(fileURLWithPath: env["EVALYO_GATEWAY_TEMPLATE"] ?? "gateway/nginx.conf")
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-gateway-\(UUID())")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        let config = try String(contentsOf: template, encoding: .utf8)
            .replacingOccurrences(of: "__GATEWAY_LISTEN__", with: "127.0.0.1:\(port)")
            .replacingOccurrences(of: "__KEY_SERVICE__", with: "127.0.0.1:\(keyServicePort)")
            .replacingOccurrences(of: "__CATALOG__", with: "127.0.0.1:\(catalogPort)")
            .replacingOccurrences(of: "__INTERVIEWS__", with: "127.0.0.1:\(try interviewsPort ?? freePort())")
            .replacingOccurrences(of: "__REPORTS__", with: "127.0.0.1:\(try reportsPort ?? freePort())")
        let configURL = prefix.appendingPathComponent("nginx.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        process = try ChildProcess(
            URL(fileURLWithPath: env["EVALYO_NGINX"] ?? "/usr/sbin/nginx"),
            arguments: ["-p", prefix.path, "-c", configURL.path, "-e", prefix.appendingPathComponent("logs/error.log").path, "-g", "daemon off;"]
        )
        process.stopWhenTestsExit()
        url = "http://127.0.0.1:\(port)"
    }

    /// Everything nginx logged of the requests so far.
    public var accessLog: String {
        (try? String(contentsOf: prefix.appendingPathComponent("logs/access.log"), encoding: .utf8)) ?? ""
    }

    /// Stops nginx at once (SIGTERM), workers included, and waits for it.
    public func stop() async {
        process.signal(SIGTERM)
        _ = try? await process.waitForExit(timeout: .seconds(10))
    }
}
