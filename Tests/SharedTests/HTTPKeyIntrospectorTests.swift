import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

@Suite("The introspection client trusts nothing it cannot check")
struct HTTPKeyIntrospectorTests {
    /// A stand-in key service that misbehaves in one way per path.
    static func misbehavingServer() -> some ApplicationProtocol {
        let router = Router()
        router.post("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(5))
            return #"{"active":false}"#
        }
        router.post("/big") { _, _ in String(repeating: " ", count: 100_000) + #"{"active":false}"# }
        router.post("/error") { _, _ -> Response in Response(status: .internalServerError) }
        router.post("/unauthorized") { _, _ -> Response in Response(status: .unauthorized) }
        router.post("/garbage") { _, _ in "<html>hello</html>" }
        router.post("/inactive") { _, _ in #"{"active":false}"# }
        return Application(router: router)
    }

    @Test func slowOversizedFailingOrGarbledAnswersAreFailuresNotAnswers() async throws {
        try await Self.misbehavingServer().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            // A short timeout for the slow path only: the others must not time out on a busy machine.
            func introspect(_ path: String) async throws -> VerifiedKey? {
                try await HTTPKeyIntrospector(
                    keyServiceURL: base, path: path, clientId: "c", clientSecret: "s", timeout: path == "/slow" ? .milliseconds(500) : .seconds(10)
                )
                .introspect(APIKeyToken.generate(), requestId: "r")
            }
            let start = ContinuousClock.now
            await #expect(throws: InternalCallFailure.timedOut) { try await introspect("/slow") }
            #expect(ContinuousClock.now - start < .seconds(3))
            await #expect(throws: InternalCallFailure.self) { try await introspect("/big") }
            await #expect(throws: InternalCallFailure.unexpectedStatus(500)) { try await introspect("/error") }
            await #expect(throws: InternalCallFailure.unexpectedStatus(401)) { try await introspect("/unauthorized") }
            await #expect(throws: InternalCallFailure.self) { try await introspect("/garbage") }
            let inactive = try await introspect("/inactive")
            #expect(inactive == nil)
        }
    }

    @Test func nothingListeningIsAFailure() async throws {
        let introspector = HTTPKeyIntrospector(keyServiceURL: "http://127.0.0.1:1", clientId: "c", clientSecret: "s", timeout: .seconds(1))
        await #expect(throws: InternalCallFailure.self) { try await introspector.introspect(APIKeyToken.generate(), requestId: "r") }
    }
}
