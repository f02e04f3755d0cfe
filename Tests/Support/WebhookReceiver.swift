import Foundation

/// A real webhook receiver (`Tests/WebhookReceiver/receiver.py`) on a free port of this machine:
/// it verifies every request with the `standardwebhooks` library from PyPI and answers as the
/// path asks (`…/ok`, `…/fail-then-ok/N`, `…/status/410`, `…/sleep/S`, `…/redirect`, `…/big`).
public final class WebhookReceiver: Sendable {
    /// One request as the receiver saw it.
    public struct Request: Sendable {
        public let path: String
        public let receivedAt: Double
        public let webhookId: String
        public let timestamp: String?
        public let signature: String
        public let contentType: String?
        /// For each secret registered for the path's prefix, whether `standardwebhooks` verified the request with it.
        public let verified: [Bool]
        public let body: String

        /// The body as a JSON object.
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    let child: ChildProcess
    /// Where webhooks go (https with certificates).
    public let port: Int
    /// Where the test side asks for the log and registers secrets (plain http).
    let controlPort: Int

    /// A receiver over plain http, or over https with `certificates`.
    public init(tls certificates: TestCertificates? = nil) async throws {
        let python = ProcessInfo.processInfo.environment["EVALYO_PYTHON"] ?? "python3"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WebhookReceiver/receiver.py")
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-receiver-\(UUID()).port")
        let tls = certificates.map { [$0.certificate, $0.key] } ?? []
        child = try ChildProcess(URL(fileURLWithPath: python), arguments: [script.path, portFile.path] + tls)
        child.stopWhenTestsExit()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.split(separator: " ")[0]) {
                self.port = port
                self.controlPort = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? port
                try? FileManager.default.removeItem(at: portFile)
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("the webhook receiver did not start: \(child.output)")
    }

    /// `http://127.0.0.1:<port>/<prefix>/<behaviour>`.
    public func url(_ prefix: String, _ behaviour: String = "ok") -> String {
        "http://127.0.0.1:\(port)/\(prefix)/\(behaviour)"
    }

    /// Has the receiver verify requests to `prefix` with each of `secrets`.
    public func verify(_ prefix: String, with secrets: [String]) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["prefix": "/" + prefix, "secrets": secrets])
        let answer = try await HTTPExchange.send(.POST, "http://127.0.0.1:\(controlPort)/_secrets", body: String(decoding: body, as: UTF8.self))
        guard answer.status == 204 else { throw TestSetupError("the receiver refused the secrets: \(answer.status)") }
    }

    /// Every request so far, oldest first.
    public func requests() async throws -> [Request] {
        let answer = try await HTTPExchange.send(.GET, "http://127.0.0.1:\(controlPort)/_log")
        let list = (try JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [[String: Any]] ?? []
        return list.map { entry in
            Request(
                path: entry["path"] as? String ?? "", receivedAt: entry["receivedAt"] as? Double ?? 0, webhookId: entry["webhookId"] as? String ?? "",
                timestamp: entry["timestamp"] as? String, signature: entry["signature"] as? String ?? "",
                contentType: entry["contentType"] as? String, verified: entry["verified"] as? [Bool] ?? [], body: entry["body"] as? String ?? "")
        }
    }

    /// The requests to paths starting with `/<prefix>/`, once there are at least `count` of them (within `timeout`).
    public func requests(to prefix: String, atLeast count: Int, within timeout: Duration = .seconds(10)) async throws -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = try await requests().filter { $0.path.hasPrefix("/\(prefix)/") }
            if found.count >= count || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
