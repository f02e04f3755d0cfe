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

@Suite("Database faults answer 503, and no request goes unanswered")
struct DatabaseFaultTests {
    @Test func aConnectionTerminatedByTheServerIs503NotA500() async throws {
        // pg_terminate_backend of a connection whose query is running: SQLSTATE 57P01, "terminating
        // connection due to administrator command", as a fast restart sends to every client.
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: try await TestDatabase.create(), poolSize: 3))
        let router = ServiceRuntime.makeRouter(postgres: postgres, metrics: ServiceMetrics())
        let sqlState = Mutex<String?>(nil)
        router.get("/terminated") { _, _ -> String in
            try await postgres.withConnection { connection in
                var pid = 0
                for try await value in try await connection.query("SELECT pg_backend_pid()", logger: Logger(label: "test")).decode(Int.self) {
                    pid = value
                }
                // Another connection ends this one while its query runs, as a fast restart does.
                let terminator = Task {
                    try await Task.sleep(for: .milliseconds(300))
                    try await postgres.query("SELECT pg_terminate_backend(\(Int32(pid)))")
                }
                defer { terminator.cancel() }
                do {
                    for try await _ in try await connection.query("SELECT pg_sleep(5)", logger: Logger(label: "test")) {}
                } catch let error as PSQLError {
                    sqlState.withLock { $0 = error.serverInfo?[.sqlState] }
                    throw error
                }
            }
            return "answered"
        }
        try await Application(router: router, services: [postgres]).test(.router) { client in
            let response = try await client.execute(uri: "/terminated", method: .get)
            #expect(response.status == .serviceUnavailable, "\(String(buffer: response.body))")
            #expect(try HTTPConventionTests.error(response).code == "SERVICE_UNAVAILABLE")
            #expect(response.headers[.retryAfter] != nil)
            #expect(sqlState.withLock { $0 } == "57P01")
        }
    }

    @Test func workThatIgnoresCancellationIsAbandonedAtTheDeadline() async throws {
        let router = Router(context: AppRequestContext.self)
        router.get("/stuck") { _, _ -> String in
            // Not cancellable: a continuation only a timer on another queue resumes, 5 s later.
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 5) { continuation.resume() }
            }
            return "late"
        }
        router.get("/quick") { _, _ in "quick" }
        let app = Application(router: DeadlineResponderBuilder(router, cancelAfter: .milliseconds(200), abandonAfter: .milliseconds(300)))
        try await app.test(.live) { client in
            let started = ContinuousClock.now
            let response = try await client.execute(uri: "/stuck", method: .get, headers: [.requestId: "stuck-1"])
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(response.status == .serviceUnavailable)
            #expect(try HTTPConventionTests.error(response).code == "SERVICE_UNAVAILABLE")
            #expect(response.headers[.retryAfter] == "2" && response.headers[.requestId] == "stuck-1")
            #expect(response.headers[.contentTypeOptions] == "nosniff")
            // Work that answers in time is untouched.
            let quick = try await client.execute(uri: "/quick", method: .get)
            #expect(quick.status == .ok && String(buffer: quick.body) == "quick")
        }
    }
}
