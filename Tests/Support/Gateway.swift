import Foundation

/// nginx running `gateway/nginx.conf`, rendered as `scripts/run` renders it.
public struct Gateway: Sendable {
    let process: ChildProcess
    let prefix: URL
    public let url: String
    /// The port it listens on (127.0.0.1).
    public let port: Int
    /// `https://127.0.0.1:<port>` when it was given a certificate.
    public let httpsURL: String?

    /// Starts nginx in front of the given service ports (a port nothing listens on stands for a stopped service),
    /// serving HTTPS with `certificates` when given (and plain HTTP then only redirecting).
    public init(
        keyServicePort: Int, catalogPort: Int, interviewsPort: Int? = nil, reportsPort: Int? = nil, webhooksPort: Int? = nil,
        certificates: TestCertificates? = nil
    ) throws {
        let port = try freePort()
        let httpsPort = try certificates.map { _ in try freePort() }
        let env = ProcessInfo.processInfo.environment
        let template = URL(fileURLWithPath: env["EVALYO_GATEWAY_TEMPLATE"] ?? "gateway/nginx.conf")
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("evalyo-gateway-\(UUID())")
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: prefix.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        let configURL = prefix.appendingPathComponent("nginx.conf")
        // Rendered by the same script as scripts/run's and the gateway container's.
        let render = Process()
        render.executableURL = URL(fileURLWithPath: "/bin/sh")
        render.arguments = [
            template.deletingLastPathComponent().appendingPathComponent("render.sh").path, template.path, configURL.path,
            "127.0.0.1:\(port)", "key_service=127.0.0.1:\(keyServicePort)", "catalog=127.0.0.1:\(catalogPort)",
            "interviews=127.0.0.1:\(try interviewsPort ?? freePort())", "reports=127.0.0.1:\(try reportsPort ?? freePort())",
            "webhooks=127.0.0.1:\(try webhooksPort ?? freePort())",
        ]
        if let certificates, let httpsPort {
            render.environment = env.merging([
                "GATEWAY_TLS_CERT": certificates.certificate, "GATEWAY_TLS_KEY": certificates.key,
                "GATEWAY_TLS_LISTEN": "127.0.0.1:\(httpsPort)",
            ]) { $1 }
        }
        try render.run()
        render.waitUntilExit()
        guard render.terminationStatus == 0 else { throw TestSetupError("gateway/render.sh failed") }
        process = try ChildProcess(
            URL(fileURLWithPath: env["EVALYO_NGINX"] ?? "/usr/sbin/nginx"),
            arguments: ["-p", prefix.path, "-c", configURL.path, "-e", prefix.appendingPathComponent("logs/error.log").path, "-g", "daemon off;"]
        )
        process.stopWhenTestsExit()
        self.port = port
        url = "http://127.0.0.1:\(port)"
        httpsURL = httpsPort.map { "https://127.0.0.1:\($0)" }
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
