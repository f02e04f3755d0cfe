import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@Suite("Routes that need a verified caller cannot be reached without one")
struct RouteContextTests {
    static let callers = InternalCallers(["interviews": "interviews-secret-0123456789"])

    /// A router with the shared middleware, an internal route and a public route, and a fake key service.
    static func makeApplication(keyService: FakeKeyService, authenticated: Bool = true) throws -> some ApplicationProtocol {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        let metrics = ServiceMetrics()
        let auth = try AuthConfiguration(
            environment: Environment(values: ["INTROSPECTION_CLIENT_SECRET": "unused-secret-0123456789abcdefghijkl"]), serviceName: "test")
        let authentication = ServiceRuntime.makeAuthentication(keyService.clients, auth: auth, metrics: metrics, logger: .init(label: "test"))
        let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: metrics, authentication: authenticated ? authentication : nil)
        router.internalRoutes(callers: callers).get("whoami") { _, context in context.caller }
        ScopedRoutes(router: router).get("/api/v1/jobs", .jobsRead) { _, context in context.organizationId.apiString }
        router.addMethodNotAllowedRoutes()
        return Application(router: router, services: [postgres])
    }

    static func basic(_ pair: String) -> HTTPFields {
        [.authorization: "Basic " + Data(pair.utf8).base64EncodedString()]
    }

    @Test func anInternalRouteAnswers401WithoutTheCallersCredentialsAndNamesTheCallerWithThem() async throws {
        try await Self.makeApplication(keyService: FakeKeyService()).test(.router) { client in
            for headers in [
                HTTPFields(), Self.basic("interviews:wrong-secret-0123456789"), Self.basic("nobody:interviews-secret-0123456789"),
                [.authorization: "Bearer x"],
            ] {
                let refused = try await client.execute(uri: "/internal/whoami", method: .get, headers: headers)
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[.wwwAuthenticate] == #"Basic realm="evalyo-internal""#)
            }
            let answered = try await client.execute(
                uri: "/internal/whoami", method: .get, headers: Self.basic("interviews:interviews-secret-0123456789"))
            #expect(answered.status == .ok && String(buffer: answered.body) == "interviews")
        }
    }

    @Test func aPublicRouteHandsItsHandlerTheKeysOrganization() async throws {
        let keyService = FakeKeyService()
        let organization = try await keyService.newOrganization()
        let key = try await organization.key(["jobs:read"]).key
        try await Self.makeApplication(keyService: keyService).test(.router) { client in
            let answered = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "Bearer \(key)"])
            #expect(answered.status == .ok && String(buffer: answered.body) == organization.id)
            #expect(try await client.execute(uri: "/api/v1/jobs", method: .get).status == .unauthorized)
        }
    }

    @Test func aPublicRouteOnARouterWithoutAuthenticationFailsClosed() async throws {
        let keyService = FakeKeyService()
        let key = try await keyService.newOrganization().keyWithEveryScope()
        try await Self.makeApplication(keyService: keyService, authenticated: false).test(.router) { client in
            let refused = try await client.execute(uri: "/api/v1/jobs", method: .get, headers: [.authorization: "Bearer \(key)"])
            #expect(refused.status == .unauthorized)
            #expect(keyService.introspectionCount == 0)
        }
    }
}
