import Foundation
import NIOHTTP1
import Shared
import TestSupport
import Testing

/// The real interviews and reports executables (with the real key service and catalog): a
/// completion becomes exactly one report, even when the reports service or the interviews
/// service stops midway.
@Suite("Delivery from the interviews outbox to reports, across failures", .serialized)
struct DeliveryTests {
    static let runtime = "runtime:runtime-delivery-secret-0123456789abc"
    static let reportsSecret = "interviews-reports-secret-0123456789abc"

    struct Services {
        let catalog: CatalogFixture.Running
        let interviewsDatabase: String
        let reportsDatabase: String
        let interviewsPort: Int
        let reportsPort: Int

        var interviews: String { "http://127.0.0.1:\(interviewsPort)" }
        var reports: String { "http://127.0.0.1:\(reportsPort)" }

        func startInterviews() async throws -> ChildProcess {
            let keyService = catalog.keyService
            let process = try ChildProcess(
                ChildProcess.binDirectory.appendingPathComponent("interviews"),
                environment: [
                    "DATABASE_URL": interviewsDatabase, "PORT": String(interviewsPort), "HOST": "127.0.0.1", "LOG_LEVEL": "warning",
                    "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
                    "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "CATALOG_URL": catalog.baseURL,
                    "CATALOG_CLIENT_ID": CatalogFixture.clientId, "CATALOG_CLIENT_SECRET": CatalogFixture.clientSecret,
                    "INTERNAL_CLIENTS": DeliveryTests.runtime, "REPORTS_URL": reports, "REPORTS_CLIENT_SECRET": DeliveryTests.reportsSecret,
                ].merging(Platform.noWebhooks) { $1 })
            process.stopWhenTestsExit()
            try await HTTPExchange.waitUntilUp(interviews + "/readyz")
            return process
        }

        func startReports() async throws -> ChildProcess {
            let keyService = catalog.keyService
            let process = try ChildProcess(
                ChildProcess.binDirectory.appendingPathComponent("reports"),
                environment: [
                    "DATABASE_URL": reportsDatabase, "PORT": String(reportsPort), "HOST": "127.0.0.1", "LOG_LEVEL": "warning",
                    "INTROSPECTION_URL": keyService.introspectionURL, "INTROSPECTION_CLIENT_ID": KeyServiceFixture.clientId,
                    "INTROSPECTION_CLIENT_SECRET": KeyServiceFixture.clientSecret, "INTERNAL_CLIENTS": "interviews:\(DeliveryTests.reportsSecret)",
                ].merging(Platform.noWebhooks) { $1 })
            process.stopWhenTestsExit()
            try await HTTPExchange.waitUntilUp(reports + "/readyz")
            return process
        }
    }

    /// Stops a process with SIGTERM and checks it drained and exited 0.
    static func stop(_ process: ChildProcess) async throws {
        process.signal(SIGTERM)
        #expect(try await process.waitForExit(timeout: .seconds(15)) == 0)
    }

    /// Polls `url` with `key` until it answers 200; returns how long that took.
    static func waitForReport(_ url: String, key: String, timeout: Duration) async throws -> Duration {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if try await HTTPExchange.send(.GET, url, headers: [("Authorization", "Bearer \(key)")]).status == 200 {
                return ContinuousClock.now - start
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSetupError("no report at \(url) after \(timeout)")
    }

    @Test func everyCompletionBecomesExactlyOneReportThroughStopsAndRestarts() async throws {
        let catalog = try await CatalogFixture.shared.start()
        let services = Services(
            catalog: catalog, interviewsDatabase: try await TestDatabase.create(), reportsDatabase: try await TestDatabase.create(),
            interviewsPort: try freePort(), reportsPort: try freePort()
        )
        var interviews = try await services.startInterviews()
        var reports = try await services.startReports()

        let organization = try await catalog.keyService.newOrganization()
        let key = try await organization.keyWithEveryScope()
        let auth = ("Authorization", "Bearer \(key)")
        let json = ("Content-Type", "application/json")
        let runtime = ("Authorization", "Basic " + Data(Self.runtime.utf8).base64EncodedString())
        let candidate = try await catalog.create("/api/v1/candidates", key: key, ["email": "d-\(UUID())@example.com"])
        let job = try await catalog.create("/api/v1/jobs", key: key, ["title": "Engineer", "status": "ACTIVE"])

        /// Creates an interview and drives it to COMPLETED; returns its id.
        func completeInterview() async throws -> String {
            let made = try await HTTPExchange.send(
                .POST, services.interviews + "/api/v1/interviews", headers: [auth, json], body: #"{"candidateId":"\#(candidate)","jobId":"\#(job)"}"#)
            let id = try #require(made.json["id"] as? String, "\(made.body)")
            #expect(try await HTTPExchange.send(.POST, services.interviews + "/internal/interviews/\(id)/start", headers: [runtime]).status == 200)
            let done = try await HTTPExchange.send(
                .POST, services.interviews + "/internal/interviews/\(id)/complete", headers: [runtime, json], body: #"{"score":66}"#)
            #expect(done.status == 200)
            return id
        }

        // Normal operation: the report is there well within a second.
        let first = try await completeInterview()
        let latency = try await Self.waitForReport(services.reports + "/api/v1/reports/interviews/\(first)", key: key, timeout: .seconds(10))
        print("report visible \(latency) after completion")
        #expect(latency < .seconds(3))

        // Reports stopped: the event waits and is delivered once it is back.
        try await Self.stop(reports)
        let test = try await HTTPExchange.send(
            .POST, services.interviews + "/api/v1/tests", headers: [auth, json], body: #"{"title":"T","isPublished":true,"passingScore":50}"#)
        let testId = try #require(test.json["id"] as? String)
        let assigned = try await HTTPExchange.send(
            .POST, services.interviews + "/api/v1/tests/\(testId)/assign", headers: [auth, json], body: #"{"candidateId":"\#(candidate)"}"#)
        let assignment = try #require(assigned.json["id"] as? String, "\(assigned.body)")
        #expect(
            try await HTTPExchange.send(
                .POST, services.interviews + "/internal/assignments/\(assignment)/complete", headers: [runtime, json], body: #"{"score":80}"#
            ).status == 200)
        try await Task.sleep(for: .seconds(1))
        reports = try await services.startReports()
        _ = try await Self.waitForReport(services.reports + "/api/v1/reports/tests/\(assignment)", key: key, timeout: .seconds(15))

        // Both stop: a completion made while reports is down survives an interviews restart.
        try await Self.stop(reports)
        let second = try await completeInterview()
        try await Self.stop(interviews)
        reports = try await services.startReports()
        interviews = try await services.startInterviews()
        _ = try await Self.waitForReport(services.reports + "/api/v1/reports/interviews/\(second)", key: key, timeout: .seconds(15))

        // Exactly one report each, however many deliveries it took.
        try await Task.sleep(for: .milliseconds(500))
        let all = try await HTTPExchange.send(.GET, services.reports + "/api/v1/reports?pageSize=100", headers: [auth])
        let reported = (all.json["data"] as? [[String: Any]] ?? []).compactMap { ($0["interviewId"] as? String) ?? ($0["assignmentId"] as? String) }
        #expect(reported.sorted() == [first, second, assignment].sorted())
        try await Self.stop(interviews)
        try await Self.stop(reports)
    }
}
