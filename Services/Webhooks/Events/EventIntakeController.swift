import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /internal/events`: the services where events happen hand them over here, each from its
/// outbox (docs/design/webhooks.md, "Events in"). The answer is 200 whether the event is new or
/// a repeat, so a retried handover is harmless; a new one wakes the dispatcher at once.
struct EventIntakeController: Sendable {
    let queue: MessageQueue
    let doorbell: Doorbell

    /// Adds the route.
    func addRoutes(to internalRoutes: RouterGroup<InternalRequestContext>) {
        internalRoutes.post("events", use: accept)
    }

    struct Receipt: ResponseEncodable {
        let eventId: String
        let new: Bool
        let messages: Int
    }

    @Sendable func accept(_ request: Request, context: InternalRequestContext) async throws -> Receipt {
        let buffer = try await request.body.collect(upTo: WebhookEventHeader.maximumBytes + 1)
        guard buffer.readableBytes <= WebhookEventHeader.maximumBytes else { throw APIError.payloadTooLarge(limit: WebhookEventHeader.maximumBytes) }
        try request.requireJSONContentType()
        let bytes = Array(buffer.readableBytesView)
        let header = try JSONRequestDecoding.decode(WebhookEventHeader.self, from: bytes)
        var v = FieldValidator()
        if !WebhookEventHeader.isValidId(header.id) { v.fail("id", "must be evt_ and 1 to 64 letters or digits") }
        if WebhookEventType(rawValue: header.type) == nil { v.fail("type", "is not an event type") }
        let createdAt = v.date(header.createdAt, "createdAt", blankAllowed: false)
        try v.check()
        let (new, messages) = try await queue.accept(header, createdAt: createdAt ?? Date(), body: String(decoding: bytes, as: UTF8.self))
        if messages > 0 { doorbell.ring() }
        context.logger.info(
            "webhook event", metadata: ["event_id": "\(header.id)", "type": "\(header.type)", "new": "\(new)", "messages": "\(messages)"])
        return Receipt(eventId: header.id, new: new, messages: messages)
    }
}
