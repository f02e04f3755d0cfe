import Foundation
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import Reports

@Suite("Reading reports, and applying each event once")
struct ReportReadingTests {
    @Test func aDeliveredInterviewEventBecomesAReportReadableThreeWays() async throws {
        try await ReportsHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            let key = try await organization.key(["reports:read"]).key
            let event = ReportsHarness.interviewEvent(organization: organization.id)
            let interviewId = event.interviewId!
            #expect(try await client.get("/api/v1/reports/interviews/\(interviewId)", key: key).status == .notFound)
            let receipt = try await client.deliver(event)
            #expect(receipt.status == .ok && json(receipt)["applied"] as? Bool == true)
            let byInterview = try await client.get("/api/v1/reports/interviews/\(interviewId)", key: key)
            #expect(byInterview.status == .ok)
            let report = json(byInterview)
            #expect(report["type"] as? String == "INTERVIEW" && report["score"] as? Int == 70)
            #expect(report["assignmentId"] is NSNull && report["passed"] is NSNull)
            #expect((report["transcript"] as? [[String: Any]])?.first?["content"] as? String == "Hello")
            #expect((report["criteria"] as? [[String: Any]])?.first?["comment"] is NSNull)
            #expect(report["completedAt"] as? String == "2027-01-15T08:01:40Z")
            let id = try #require(report["id"] as? String)
            #expect(try await client.get("/api/v1/reports/\(id)", key: key).status == .ok)
            #expect(items(try await client.get("/api/v1/reports", key: key)).count == 1)
        }
    }

    @Test func repeatedAndConcurrentDeliveriesMakeOneReport() async throws {
        try await ReportsHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            let key = try await organization.key(["reports:read"]).key
            let event = ReportsHarness.interviewEvent(organization: organization.id)
            let applied = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { json(try await client.deliver(event))["applied"] as? Bool ?? false } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(applied.filter { $0 }.count == 1 && applied.count == 8)
            #expect(items(try await client.get("/api/v1/reports", key: key)).count == 1)
        }
    }

    @Test func listsFilterByCandidateCampaignAndType() async throws {
        try await ReportsHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            let key = try await organization.key(["reports:read"]).key
            let candidate = UUID()
            let campaign = UUID()
            try await client.deliver(ReportsHarness.interviewEvent(organization: organization.id, candidate: candidate, campaign: campaign))
            try await client.deliver(ReportsHarness.interviewEvent(organization: organization.id))
            try await client.deliver(ReportsHarness.testEvent(organization: organization.id, candidate: candidate))
            func count(_ query: String) async throws -> Int { items(try await client.get("/api/v1/reports?\(query)", key: key)).count }
            #expect(try await count("candidateId=\(candidate)") == 2)
            #expect(try await count("campaignId=\(campaign)") == 1)
            #expect(try await count("type=TEST") == 1)
            #expect(try await count("type=INTERVIEW&candidateId=\(candidate)") == 1)
            #expect(try await client.get("/api/v1/reports?type=QUIZ", key: key).status == .badRequest)
            let test = items(try await client.get("/api/v1/reports?type=TEST", key: key))[0]
            let assignment = try #require(test["assignmentId"] as? String)
            #expect(json(try await client.get("/api/v1/reports/tests/\(assignment)", key: key))["passed"] as? Bool == false)
        }
    }

    @Test func reportsAreReadOnlyScopedAndPerOrganization() async throws {
        try await ReportsHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            let key = try await organization.key(["reports:read"]).key
            let noScope = try await organization.key(["interviews:read"]).key
            let stranger = try await client.keyService.newOrganization().key(["reports:read"]).key
            let event = ReportsHarness.interviewEvent(organization: organization.id)
            try await client.deliver(event)
            #expect(try await client.get("/api/v1/reports", key: nil).status == .unauthorized)
            let forbidden = try await client.get("/api/v1/reports", key: noScope)
            #expect(forbidden.status == .forbidden && apiError(forbidden)?.requiredScope == "reports:read")
            #expect(try await client.get("/api/v1/reports/interviews/\(event.interviewId!)", key: stranger).status == .notFound)
            #expect(items(try await client.get("/api/v1/reports", key: stranger)).isEmpty)
            for method in [HTTPRequest.Method.post, .patch, .delete, .put] {
                let response = try await client.client.execute(uri: "/api/v1/reports", method: method, headers: [.authorization: "Bearer \(key)"])
                #expect(response.status == .methodNotAllowed, "\(method)")
            }
            let id = json(try await client.get("/api/v1/reports/interviews/\(event.interviewId!)", key: key))["id"] as! String
            #expect(
                try await client.client.execute(uri: "/api/v1/reports/\(id)", method: .delete, headers: [.authorization: "Bearer \(key)"]).status
                    == .methodNotAllowed)
        }
    }

    @Test func onlyTheInterviewsServiceMayDeliverAndOnlyWellFormedEvents() async throws {
        try await ReportsHarness().run { client in
            let organization = try await client.keyService.newOrganization()
            let event = ReportsHarness.interviewEvent(organization: organization.id)
            #expect(try await client.deliver(event, credentials: "interviews:wrong-secret-0123456789").status == .unauthorized)
            let basic = "Basic " + Data(ReportsHarness.deliverer.utf8).base64EncodedString()
            let garbage = try await client.client.execute(
                uri: "/internal/events", method: .post, headers: [.authorization: basic, .contentType: "application/json"],
                body: ByteBuffer(string: "{\"eventId\":1}")
            )
            #expect(garbage.status == .badRequest)
            let undeclared = try await client.client.execute(
                uri: "/internal/events", method: .post, headers: [.authorization: basic],
                body: ByteBuffer(bytes: try ReportEvent.encoder.encode(event))
            )
            #expect(undeclared.status == .unsupportedMediaType)
            let inconsistent = ReportsHarness.interviewEvent(organization: organization.id, score: 101)
            #expect(try await client.deliver(inconsistent).status == .badRequest)
        }
    }
}
