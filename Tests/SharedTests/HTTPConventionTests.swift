import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import TestSupport
import Testing

@Suite("HTTP conventions shared by every service")
struct HTTPConventionTests {
    struct Widget: Codable, ResponseEncodable {
        let title: String
        let count: Int?
        let tags: [String]?
    }

    /// A router with the shared middleware and two sample routes, in front of a database that is down.
    static func makeApplication(metrics: ServiceMetrics = ServiceMetrics()) throws -> some ApplicationProtocol {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics)
        router.post("/widgets") { request, context in
            try await request.decodeJSON(as: Widget.self, context: context)
        }
        router.get("/widgets") { request, _ in
            let page = try PageRequest(from: request)
            return Page(data: [Widget(title: "a", count: nil, tags: nil)], request: page, total: 41)
        }
        router.get("/widgets/{id}") { _, context in
            _ = try context.parameters.uuid("id")
            return Widget(title: "one", count: 1, tags: nil)
        }
        router.post("/actions") { _, _ -> HTTPResponse.Status in .accepted }
        router.get("/boom") { _, _ -> String in
            struct Secret: Error {}
            throw Secret()
        }
        router.addMethodNotAllowedRoutes()
        return Application(router: router, services: [postgres])
    }

    static func error(_ response: TestResponse) throws -> ContractError.Object {
        #expect(response.headers[.contentType] == "application/json; charset=utf-8")
        return try JSONDecoder().decode(ContractError.self, from: Data(response.body.readableBytesView)).error
    }

    @Test func anUnknownRouteIs404InTheContractShape() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/nothing/here", method: .get)
                #expect(response.status == .notFound)
                #expect(try Self.error(response).code == "NOT_FOUND")
                #expect(response.headers[.requestId] != nil)
                #expect(response.headers[.contentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func aKnownPathWithTheWrongMethodIs405WithAllow() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/widgets", method: .delete)
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD, POST")
                #expect(try Self.error(response).code == "METHOD_NOT_ALLOWED")
            }
            do {
                let response = try await client.execute(uri: "/widgets/\(UUID())", method: .post)
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
            }
        }
    }

    @Test func headAnswersEveryGetRouteWithItsHeadersAndNoBody() async throws {
        try await Self.makeApplication().test(.live) { client in
            for uri in ["/widgets?limit=5", "/widgets/\(UUID())", "/healthz", "/widgets/not-an-id"] {
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
                #expect(head.headers[.contentLength] == get.headers[.contentLength], "\(uri)")
                #expect(head.headers[.requestId] != nil && head.headers[.contentTypeOptions] == "nosniff", "\(uri)")
            }
            // A path without GET has no HEAD either: 405 with its Allow, not 404.
            let postOnly = try await client.execute(uri: "/actions", method: .head)
            #expect(postOnly.status == .methodNotAllowed && postOnly.headers[.allow] == "POST")
        }
    }

    @Test func aBodyOverOneMebibyteIs413() async throws {
        try await Self.makeApplication().test(.router) { client in
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
            do {
                let response = try await client.execute(uri: "/widgets", method: .post, headers: [.contentType: "application/json"], body: big)
                #expect(response.status == .contentTooLarge)
                #expect(try Self.error(response).code == "PAYLOAD_TOO_LARGE")
            }
        }
    }

    @Test func aBodyOfExactlyOneMebibyteIsRead() async throws {
        try await Self.makeApplication().test(.router) { client in
            var text = #"{"title":"t"}"#
            text += String(repeating: " ", count: (1 << 20) - text.utf8.count)
            do {
                let response = try await client.execute(
                    uri: "/widgets", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: text))
                #expect(response.status == .ok)
            }
        }
    }

    @Test(arguments: [
        ("{not json", nil as String?), ("[1,2]", nil), (#"{"count": 3}"#, "title"), (#"{"title": 5}"#, "title"),
        (#"{"title": "x", "count": "3"}"#, "count"), (#"{"title": "x", "tags": ["a", 1]}"#, "tags[1]"), (#"{"title": null}"#, "title"),
    ])
    func badJSONIs400NamingTheField(body: String, field: String?) async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(
                    uri: "/widgets", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
                #expect(response.status == .badRequest)
                let error = try Self.error(response)
                #expect(error.code == "VALIDATION_ERROR")
                #expect(error.details?.first?.field == field)
            }
        }
    }

    @Test func anEmptyBodyIs400() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/widgets", method: .post)
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func unknownFieldsAreIgnored() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(
                    uri: "/widgets", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"title":"x","extra":{"a":1}}"#))
                #expect(response.status == .ok)
            }
        }
    }

    @Test func aPathIdThatIsNotAUUIDIs400() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/widgets/123", method: .get)
                #expect(response.status == .badRequest)
                #expect(try Self.error(response).details?.first?.field == "id")
            }
        }
    }

    @Test func theCallersRequestIdIsEchoedAndAForgedOneReplaced() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/healthz", method: .get, headers: [.requestId: "abc-123"])
                #expect(response.headers[.requestId] == "abc-123")
            }
            do {
                let response = try await client.execute(uri: "/nothing", method: .get, headers: [.requestId: "bad id\" injected"])
                let id = try #require(response.headers[.requestId])
                #expect(UUID(uuidString: id) != nil)
            }
        }
    }

    @Test func pageSizeOutsideOneToHundredIs400() async throws {
        try await Self.makeApplication().test(.router) { client in
            for query in ["pageSize=0", "pageSize=101", "page=0", "page=x", "pageSize=1.5"] {
                do {
                    let response = try await client.execute(uri: "/widgets?\(query)", method: .get)
                    #expect(response.status == .badRequest, "\(query)")
                }
            }
            do {
                let response = try await client.execute(uri: "/widgets?page=2&pageSize=20", method: .get)
                struct Body: Decodable { let pagination: Page<Widget>.Info }
                let body = try JSONDecoder().decode(Body.self, from: Data(response.body.readableBytesView))
                #expect(body.pagination == .init(page: 2, pageSize: 20, total: 41, totalPages: 3))
            }
        }
    }

    @Test func anUnexpectedErrorIs500WithoutItsDetails() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/boom", method: .get)
                #expect(response.status == .internalServerError)
                let error = try Self.error(response)
                #expect(error.code == "INTERNAL_ERROR")
                #expect(!error.message.contains("Secret"))
            }
        }
    }

    @Test func healthIsUpWhileReadinessReports503WhenTheDatabaseIsDown() async throws {
        try await Self.makeApplication().test(.router) { client in
            do {
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .ok)
            }
            do {
                let response = try await client.execute(uri: "/readyz", method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(try Self.error(response).code == "SERVICE_UNAVAILABLE")
            }
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let metrics = ServiceMetrics()
        try await Self.makeApplication(metrics: metrics).test(.router) { client in
            try await client.execute(uri: "/widgets/\(UUID())", method: .get)
            try await client.execute(uri: "/no/such/thing", method: .get)
            do {
                let response = try await client.execute(uri: "/metrics", method: .get)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"http_requests_total{method="GET",route="/widgets/{id}",status="200"} 1"#))
                // An unknown path is counted under one fixed label, never under the path itself.
                #expect(text.contains(#"status="404""#))
                #expect(!text.contains("/no/such/thing"))
                #expect(text.contains("http_request_duration_seconds_bucket"))
            }
        }
    }
}

@Suite("One spelling per path")
struct PathSpellingTests {
    @Test(arguments: [
        ("/", true), ("/api/v1/jobs", true), ("/api/v1/jobs/0b0e5c1e-4c3a-4e4e-9a57-1d1a7f1f0a11", true), ("/a.b/c..d/.x/...", true),
        ("", false), ("api", false), ("/api/", false), ("//api", false), ("/api//v1", false), ("/api/%76", false),
        ("/api/./v1", false), ("/api/../v1", false), ("/api/.", false), ("/api/..", false), ("/.", false), ("/..", false),
    ])
    func aPathIsCanonicalOnlyWithNonEmptyPlainSegments(path: String, canonical: Bool) {
        #expect(PathSpellingMiddleware<AppRequestContext>.isCanonical(path) == canonical, "\(path)")
    }
}
