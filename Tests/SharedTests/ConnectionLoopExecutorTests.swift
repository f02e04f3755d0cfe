import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Shared
import Synchronization
import TestSupport
import Testing

@Suite("A request runs on its connection's event loop")
struct ConnectionLoopExecutorTests {
    /// What a handler saw: whether it ran on its connection's loop before and after its awaits.
    struct Sighting: ResponseEncodable {
        let onLoopAtStart: Bool
        let onLoopAfterQuery: Bool
        let onLoopAfterSleep: Bool
        let loop: String
    }

    @Test func aHandlerStartsAndResumesOnItsConnectionsLoopBehindTheDeadline() async throws {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: try await TestDatabase.create(), poolSize: 2))
        let router = Router(context: AppRequestContext.self)
        router.get("/where") { _, _ -> Sighting in
            guard let loop = EventLoopTaskExecutor.current?.loop else { throw HTTPError(.internalServerError, message: "no loop") }
            let atStart = loop.inEventLoop
            // A query answered on whichever loop its connection has, then a timer: both resume here.
            for try await _ in try await postgres.query("SELECT 1", logger: Logger(label: "test")) {}
            let afterQuery = loop.inEventLoop
            try await Task.sleep(for: .milliseconds(5))
            return Sighting(
                onLoopAtStart: atStart, onLoopAfterQuery: afterQuery, onLoopAfterSleep: loop.inEventLoop, loop: "\(ObjectIdentifier(loop))")
        }
        let app = Application(router: DeadlineResponderBuilder(router), server: .http1OnConnectionLoop(), services: [postgres])
        try await app.test(.live) { client in
            // Forty at once, so that requests wait for each other and for the pool's two connections.
            var loops = Set<String>()
            try await withThrowingTaskGroup(of: Sighting.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        let response = try await client.execute(uri: "/where", method: .get)
                        #expect(response.status == .ok, "\(String(buffer: response.body))")
                        return try JSONDecoder().decode(Sighting.self, from: Data(buffer: response.body))
                    }
                }
                for try await sighting in group {
                    #expect(sighting.onLoopAtStart && sighting.onLoopAfterQuery && sighting.onLoopAfterSleep)
                    loops.insert(sighting.loop)
                }
            }
            #expect(!loops.isEmpty)
        }
    }
}

extension ConnectionLoopExecutorTests.Sighting: Decodable {}
