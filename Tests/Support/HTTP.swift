import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A plain HTTP exchange over a real socket, for end-to-end tests.
public struct HTTPExchange: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: String

    /// Sends one request and reads the whole answer. A body goes as `application/json` and a
    /// console request that changes state comes from the console's origin, as a browser's
    /// would, unless `headers` name them. `client` is the shared one unless HTTPS needs its own trust.
    public static func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil, client: HTTPClient = .shared
    ) async throws -> HTTPExchange {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if body != nil, !request.headers.contains(name: "Content-Type") { request.headers.add(name: "Content-Type", value: "application/json") }
        if method != .GET, let parts = URLComponents(string: url), parts.path.hasPrefix("/console/"),
            !request.headers.contains(name: "Origin"), !request.headers.contains(name: "Sec-Fetch-Site"),
            let scheme = parts.scheme, let host = parts.host
        {
            request.headers.add(name: "Origin", value: "\(scheme)://\(host)" + (parts.port.map { ":\($0)" } ?? ""))
        }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 8 << 20)
        return HTTPExchange(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// The body decoded as a JSON object.
    public var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// The `code` of an error body in the API's error shape.
    public var errorCode: String? {
        (json["error"] as? [String: Any])?["code"] as? String
    }

    /// Waits until `url` answers 200.
    public static func waitUntilUp(_ url: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let answer = try? await send(.GET, url), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw URLError(.timedOut)
    }
}
