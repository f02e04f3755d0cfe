import Foundation
import Shared

/// An event as integrations receive it (docs/api-guide.md, "Webhooks"): the body of every
/// message, `{"id": "evt_…", "type", "createdAt", "organizationId", "data"}`, under 64 KiB.
enum WebhookEventType: String, CaseIterable, Sendable {
    case interviewStarted = "interview.started"
    case interviewCompleted = "interview.completed"
    case interviewCancelled = "interview.cancelled"
    case assignmentCompleted = "assignment.completed"
    case reportCreated = "report.created"
    case candidateMoved = "campaign.candidate_moved"
    case test = "webhook.test"
}

/// What the webhooks service checks of an event a producer hands over; the body itself is kept
/// byte for byte, so what is signed and sent is exactly what the producer wrote.
struct WebhookEventHeader: Decodable, Sendable {
    static let maximumBytes = 64 * 1024

    let id: String
    let type: String
    /// ISO-8601; checked with `ISODate.parse`, which takes fractions of a second too.
    let createdAt: String
    let organizationId: UUID

    /// `evt_` and 1 to 64 letters or digits: the `webhook-id` receivers deduplicate on.
    static func isValidId(_ id: String) -> Bool {
        guard id.hasPrefix("evt_") else { return false }
        let rest = id.utf8.dropFirst(4)
        return (1...64).contains(rest.count) && rest.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    /// A new event id: `evt_` and 32 random hexadecimal digits (128 bits).
    static func newId() -> String {
        "evt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}

/// The `webhook.test` event of `POST …/{id}/test`.
struct TestEventBody: Encodable {
    struct Data: Encodable { let endpointId: String }
    let id: String
    let type = WebhookEventType.test.rawValue
    let createdAt: Date
    let organizationId: String
    let data: Data

    /// The JSON body of a test event for `endpoint`.
    static func json(id: String, organizationId: UUID, endpointId: UUID, at date: Date) throws -> String {
        let body = TestEventBody(id: id, createdAt: date, organizationId: organizationId.apiString, data: Data(endpointId: endpointId.apiString))
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }
}
