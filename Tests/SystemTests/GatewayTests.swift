import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// What the nginx gateway answers by itself, with every service behind it down.
@Suite("The gateway answers its own errors in the API's error shape")
struct GatewayTests {
    @Test func unknownPathsInternalPathsAndOversizedRequestsAreJSONErrors() async throws {
        let gateway = try Gateway(keyServicePort: try freePort(), catalogPort: try freePort())
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        defer { Task { await gateway.stop() } }

        // (Paths under /api/ go to a service, which checks the key first: see the next test.)
        for path in ["/", "/api", "/apix/v1/jobs", "/internal/introspect", "/internal/facts"] {
            let answer = try await HTTPExchange.send(.GET, gateway.url + path)
            #expect(answer.status == 404 && answer.errorCode == "NOT_FOUND", "\(path): \(answer.body)")
            #expect(answer.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
            #expect(answer.headers["X-Content-Type-Options"] == ["nosniff"], "\(path)")
        }
        let longURI = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/jobs?" + String(repeating: "a", count: 20_000))
        #expect(longURI.status == 414 && longURI.errorCode == "URI_TOO_LONG", "\(longURI.body)")
        let hugeHeader = try await HTTPExchange.send(
            .GET, gateway.url + "/api/v1/jobs", headers: [("X-Padding", String(repeating: "b", count: 20_000))])
        #expect(hugeHeader.status == 400 && hugeHeader.errorCode == "VALIDATION_ERROR", "\(hugeHeader.body)")
        let hugeBody = try await HTTPExchange.send(.POST, gateway.url + "/api/v1/jobs", body: String(repeating: "c", count: (1 << 20) + 1))
        #expect(hugeBody.status == 413 && hugeBody.errorCode == "PAYLOAD_TOO_LARGE")
    }

    @Test func unknownPathsUnderTheAPIAre401WithoutAKeyThen404() async throws {
        let platform = try await Platform.launch()
        let key = try await platform.keyService.newOrganization().key(["jobs:read"]).key
        for path in ["/api/v1", "/api/v1/nope", "/api/v1/jobsx", "/api/v2/jobs", "/api/v1/me/x"] {
            let anonymous = try await HTTPExchange.send(.GET, platform.gateway.url + path)
            #expect(anonymous.status == 401 && anonymous.errorCode == "UNAUTHORIZED", "\(path): \(anonymous.body)")
            let wrongKey = try await HTTPExchange.send(.GET, platform.gateway.url + path, headers: [("Authorization", "Bearer evk_nope")])
            #expect(wrongKey.status == 401, "\(path)")
            let known = try await HTTPExchange.send(.GET, platform.gateway.url + path, headers: [("Authorization", "Bearer \(key)")])
            #expect(known.status == 404 && known.errorCode == "NOT_FOUND", "\(path): \(known.body)")
        }
        // HEAD on GET routes, through the gateway: the GET's status and headers, no body.
        let get = try await HTTPExchange.send(.GET, platform.gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(key)")])
        let head = try await HTTPExchange.send(.HEAD, platform.gateway.url + "/api/v1/jobs", headers: [("Authorization", "Bearer \(key)")])
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers["Content-Type"] == get.headers["Content-Type"] && head.headers["X-RateLimit-Limit"] == get.headers["X-RateLimit-Limit"])
        let anonymousHead = try await HTTPExchange.send(.HEAD, platform.gateway.url + "/api/v1/jobs")
        #expect(anonymousHead.status == 401 && anonymousHead.body.isEmpty)
        _ = await platform.stop()
    }

    @Test(arguments: [
        ("a NUL escape", "GET /api/v1/jobs/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("a raw NUL", "GET /api/v1/jobs/\u{0} HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("a bad request line", "GARBAGE\r\n\r\n", 400),
        ("a bad method", "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("a bad escape", "GET /api/v1/jobs/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("a path above the root", "GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("a NUL in a header", "GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n", 400),
        ("a bad header name", "GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n", 400),
        ("an oversized header", "GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nX-A: \(String(repeating: "a", count: 20_000))\r\n\r\n", 400),
        ("two Host headers", "GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
        (
            "Content-Length with chunked",
            "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400
        ),
        ("an unknown Transfer-Encoding", "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("an unknown HTTP version", "GET / HTTP/9.9\r\nHost: x\r\n\r\n", 505),
    ])
    func malformedRequestsAreJSONErrorsNeverHTML(what: String, request: String, status: Int) async throws {
        let gateway = try Gateway(keyServicePort: try freePort(), catalogPort: try freePort())
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        defer { Task { await gateway.stop() } }

        let answer = try RawHTTP.exchange(port: gateway.port, Array(request.utf8))
        #expect(answer.status == status, "\(what): \(answer.statusLine)")
        #expect(answer.headers["content-type"] == "application/json", "\(what): \(answer.body.prefix(80))")
        #expect(answer.body.hasPrefix(#"{"error":{"code":""#), "\(what): \(answer.body.prefix(80))")
        #expect(answer.headers["x-content-type-options"] == "nosniff", "\(what)")
    }

    @Test func aClientCannotChooseTheAddressItsSignInsAreCountedUnder() async throws {
        let (process, keyService) = try await KeyServiceFixture.launch(environment: ["SIGN_IN_ATTEMPTS_PER_MINUTE": "30"])
        defer { process.signal() }
        let port = try #require(URLComponents(string: keyService.baseURL)?.port)
        let gateway = try Gateway(keyServicePort: port, catalogPort: try freePort())
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        defer { Task { await gateway.stop() } }

        let body = #"{"email":"victim-\#(UUID())@example.com","password":"guess-password"}"#
        var statuses: [Int] = []
        for index in 1...6 {
            // Each attempt claims another address; the gateway replaces both headers with its peer's.
            let spoofed = "203.0.113.\(index)"
            let answer = try await HTTPExchange.send(
                .POST, gateway.url + "/console/api/session", headers: [("X-Real-IP", spoofed), ("X-Forwarded-For", spoofed)], body: body
            )
            statuses.append(answer.status)
        }
        #expect(statuses == [401, 401, 401, 401, 401, 429])
    }

    @Test func aServiceThatIsDownIsA503WithRetryAfterAndARequestId() async throws {
        let gateway = try Gateway(keyServicePort: try freePort(), catalogPort: try freePort())
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        defer { Task { await gateway.stop() } }

        let key = "evk_" + String(repeating: "Z", count: 36)
        for path in ["/api/v1/jobs", "/api/v1/interviews/x", "/api/v1/reports", "/console", "/console/api/keys"] {
            let answer = try await HTTPExchange.send(.GET, gateway.url + path, headers: [("Authorization", "Bearer \(key)")])
            #expect(answer.status == 503 && answer.errorCode == "SERVICE_UNAVAILABLE", "\(path): \(answer.body)")
            #expect(answer.headers.first(name: "Retry-After") != nil)
            #expect(answer.headers["X-Content-Type-Options"] == ["nosniff"], "\(path)")
            // The gateway makes a request id when the client sends none (nginx's 32 hex digits).
            let id = try #require(answer.headers.first(name: "X-Request-Id"))
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
        }
        let kept = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/jobs", headers: [("X-Request-Id", "client-chosen-1")])
        #expect(kept.headers["X-Request-Id"] == ["client-chosen-1"])
        let replaced = try await HTTPExchange.send(.GET, gateway.url + "/api/v1/jobs", headers: [("X-Request-Id", "not plain {}")])
        #expect(replaced.headers.first(name: "X-Request-Id")?.count == 32)
        #expect(!gateway.accessLog.contains(String(key.dropFirst(4))))
        #expect(gateway.accessLog.contains("request_id=client-chosen-1"))
    }
}
