import Foundation
import Hummingbird
import Logging
import PostgresNIO

/// The events integrations receive as webhooks (docs/api-guide.md, "Webhooks"), written into
/// the producing service's outbox in the transaction of the change they announce, for the
/// relay to hand over to the webhooks service.
public enum WebhookEvents {
    /// The outbox destination of webhook events.
    public static let destination = "webhooks"

    /// The body every receiver gets: `{"id": "evt_…", "type", "createdAt", "organizationId", "data"}`.
    struct Envelope<Data: Encodable>: Encodable {
        let id: String
        let type: String
        let createdAt: Date
        let organizationId: String
        let data: Data
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The `webhook-id` of the event with outbox id `id`: `evt_` and its 32 hexadecimal digits.
    public static func eventId(_ id: UUID) -> String {
        "evt_" + id.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    /// Appends an event of `type` with `data` for `organizationId`, on the transaction's connection.
    public static func append(
        _ type: String, organizationId: UUID, data: some Encodable, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let id = UUID()
        let envelope = Envelope(id: eventId(id), type: type, createdAt: Date(), organizationId: organizationId.apiString, data: data)
        let payload = String(decoding: try encoder.encode(envelope), as: UTF8.self)
        try await Outbox.append(id: id, destination: destination, payload: payload, on: connection, logger: logger)
    }
}

/// A producing service's outbox settings: how often its relay looks for events when idle
/// (`OUTBOX_POLL_MS`, default 100), and the webhooks service it hands webhook events to.
public struct OutboxSettings: Sendable {
    public var pollInterval: Duration
    public var webhooks: InternalEventsDestination

    public init(environment: Environment, service: String) throws {
        pollInterval = .milliseconds(try environment.integer("OUTBOX_POLL_MS", default: 100, in: 10...10000))
        webhooks = try .webhooks(environment: environment, service: service)
    }
}

extension InternalEventsDestination {
    /// The webhooks service's `/internal/events`, at `WEBHOOKS_URL` (default the local one) with
    /// this service's `WEBHOOKS_CLIENT_ID` (default `service`) and `WEBHOOKS_CLIENT_SECRET`.
    public static func webhooks(environment: Environment, service: String) throws -> InternalEventsDestination {
        InternalEventsDestination(
            name: WebhookEvents.destination,
            client: InternalServiceClient(
                baseURL: environment.get("WEBHOOKS_URL") ?? "http://127.0.0.1:8085", clientId: environment.get("WEBHOOKS_CLIENT_ID") ?? service,
                clientSecret: try environment.secret(
                    "WEBHOOKS_CLIENT_SECRET", purpose: "this service's secret for handing events over to the webhooks service"),
                timeout: .seconds(5)))
    }
}
