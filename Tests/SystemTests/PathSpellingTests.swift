import Foundation
import TestSupport
import Testing

/// Every gateway limit holds for every spelling of a path: another spelling of a route is no
/// route, at the gateway and at each service behind it (404), so it never reaches a handler
/// whose location's limit it would have skipped.
@Suite("A path has one spelling: the others are 404 at the gateway and at every service")
struct PathSpellingTests {
    static let signInSpellings = [
        "/console/api/session/", "/console//api/session", "//console/api/session", "/console/api/%73ession",
        "/console/api/session/.", "/console/./api/session", "/console/api/x/../session", "/console/api/session//",
    ]

    static func post(_ path: String, port: Int, body: String) throws -> RawHTTP {
        let request =
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        return try RawHTTP.exchange(port: port, Array(request.utf8))
    }

    static func get(_ path: String, port: Int, key: String) throws -> RawHTTP {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nConnection: close\r\n\r\n"
        return try RawHTTP.exchange(port: port, Array(request.utf8))
    }

    @Test func noSpellingOfTheSignInPathReachesTheKeyService() async throws {
        let (process, keyService) = try await KeyServiceFixture.launch()
        defer { process.signal() }
        let keyServicePort = try #require(URLComponents(string: keyService.baseURL)?.port)
        let gateway = try Gateway(keyServicePort: keyServicePort, catalogPort: try freePort())
        try await HTTPExchange.waitUntilUp(gateway.url + "/healthz")
        defer { Task { await gateway.stop() } }

        let email = "victim-\(UUID())@example.com"
        let body = #"{"email":"\#(email)","password":"guess-password"}"#
        // Five rounds of every spelling: 40 wrong sign-ins for one email, through the gateway and
        // straight at the key service. Before, the trailing slash alone reached the handler.
        for _ in 1...5 {
            for path in Self.signInSpellings {
                for port in [gateway.port, keyServicePort] {
                    let answer = try Self.post(path, port: port, body: body)
                    #expect(answer.status == 404, "\(path) on \(port): \(answer.statusLine)")
                    #expect(answer.body.hasPrefix(#"{"error":{"code":"NOT_FOUND""#), "\(path): \(answer.body)")
                }
            }
        }
        // None of them was counted: the email still has its five tries, then the sixth is refused.
        var statuses: [Int] = []
        for _ in 1...6 { statuses.append(try Self.post("/console/api/session", port: gateway.port, body: body).status) }
        #expect(statuses == [401, 401, 401, 401, 401, 429])
        // A query string is not part of the path's spelling.
        #expect(try Self.post("/console/api/session?next=%2F%2Fx/", port: gateway.port, body: body).status == 429)
    }

    @Test func everyServiceAnswersOnlyItsRoutesOwnSpelling() async throws {
        let platform = try await Platform.launch()
        defer { Task { _ = await platform.stop() } }
        let key = try await platform.keyService.newOrganization().key(["jobs:read", "agents:read", "reports:read"]).key
        let services = [platform.catalogURL, platform.interviewsURL, platform.reportsURL].compactMap { URLComponents(string: $0)?.port }
        for path in ["/api/v1/jobs", "/api/v1/agents", "/api/v1/reports", "/api/v1/me"] {
            #expect(try Self.get(path, port: platform.gateway.port, key: key).status == 200, "\(path)")
            let segments = path.split(separator: "/")
            let last = segments.last!
            let spellings = [
                path + "/", path.replacingOccurrences(of: "/v1/", with: "/v1//"), "/" + path,
                path.replacingOccurrences(of: "/\(last)", with: "/%\(String(format: "%02X", last.utf8.first!))\(last.dropFirst())"),
                path.replacingOccurrences(of: "/v1/", with: "/v1/./"), path.replacingOccurrences(of: "/v1/", with: "/v1/x/../"),
            ]
            for spelling in spellings {
                #expect(try Self.get(spelling, port: platform.gateway.port, key: key).status == 404, "gateway: \(spelling)")
                for port in services {
                    #expect(try Self.get(spelling, port: port, key: key).status == 404, "service on \(port): \(spelling)")
                }
            }
        }
    }
}
