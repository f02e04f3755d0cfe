import Foundation
import Shared
import TestSupport
import Testing

@testable import Reports

@Suite("A new report announces report.created through the outbox")
struct ReportWebhookTests {
    @Test func aReportMadeOnceIsAnnouncedOnceWithoutItsTranscript() async throws {
        let harness = try await ReportsHarness()
        try await harness.run { client in
            let organization = try await client.keyService.newOrganization()
            let event = ReportsHarness.interviewEvent(organization: organization.id)
            #expect(try await client.deliver(event).status == .ok)
            #expect(try await client.deliver(event).status == .ok)
            let deadline = ContinuousClock.now + .seconds(5)
            while harness.webhooks.payloads.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            try await Task.sleep(for: .milliseconds(200))
            let events = harness.webhooks.events
            #expect(events.count == 1)
            let announced = try #require(events.first)
            #expect(announced["type"] as? String == "report.created" && announced["organizationId"] as? String == organization.id)
            #expect((announced["id"] as? String)?.hasPrefix("evt_") == true)
            let data = try #require(announced["data"] as? [String: Any])
            #expect(data["interviewId"] as? String == event.interviewId?.apiString && data["assignmentId"] is NSNull)
            #expect(data["score"] as? Int == 70 && data["recommendation"] as? String == "HIRE" && data["type"] as? String == "INTERVIEW")
            #expect(data["transcript"] == nil && data["summary"] == nil && data["generatedAt"] is String && data["id"] is String)
        }
    }
}
