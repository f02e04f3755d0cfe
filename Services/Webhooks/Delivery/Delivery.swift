import Foundation
import Hummingbird
import Shared

/// A message to one endpoint and its attempts, as `GET …/{id}/deliveries` shows it.
struct Delivery: Sendable {
    enum Status: String, CaseIterable, Sendable { case PENDING, SUCCEEDED, FAILED }

    struct Attempt: Sendable, Encodable {
        let attemptedAt: Date
        @Nullable var responseStatus: Int?
        let durationMs: Int
        @Nullable var error: String?
    }

    let id: UUID
    let eventId: String
    let eventType: String
    let status: Status
    let createdAt: Date
    let nextAttemptAt: Date?
    let attempts: [Attempt]
}

/// A delivery as the API shows it.
struct DeliveryView: ResponseEncodable, Sendable {
    let id: String
    let eventId: String
    let eventType: String
    let status: String
    let createdAt: Date
    @Nullable var nextAttemptAt: Date?
    let attempts: [Delivery.Attempt]

    init(_ delivery: Delivery) {
        id = delivery.id.apiString
        eventId = delivery.eventId
        eventType = delivery.eventType
        status = delivery.status.rawValue
        createdAt = delivery.createdAt
        nextAttemptAt = delivery.nextAttemptAt
        attempts = delivery.attempts
    }
}

/// A message the dispatcher claimed: what to send where.
struct ClaimedMessage: Sendable {
    let id: UUID
    let eventId: String
    let endpointId: UUID
    let organizationId: UUID
    let scheduleStep: Int
    let body: String
    let url: String
}

/// What came of one attempt.
struct AttemptOutcome: Sendable {
    let attemptedAt: Date
    let durationMs: Int
    /// The answer's status, nil when none came.
    let responseStatus: Int?
    let error: String?
    let excerpt: String?
    /// The answer's `Retry-After`, in seconds, on a 429 or 503.
    let retryAfter: Double?

    var succeeded: Bool { responseStatus.map { (200..<300).contains($0) } ?? false }
    /// A 410: the receiver says the endpoint is gone for good.
    var gone: Bool { responseStatus == 410 }
}
