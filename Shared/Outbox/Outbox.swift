import Foundation
import Logging
import PostgresNIO

/// A transactional outbox (docs/design/outbox.md): an event is written in the transaction of the
/// change it announces, so both commit or neither does, and `OutboxRelay` hands it over to its
/// destination's service afterwards, until that service acknowledges it. One table holds the
/// events of every destination of a service (`reports`, `webhooks`), each relayed apart.
public enum Outbox {
    /// Appends an event for `destination`; `payload` is the JSON the destination receives.
    public static func append(id: UUID, destination: String, payload: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            "INSERT INTO outbox_events (id, destination, payload) VALUES (\(id), \(destination), \(payload)::jsonb)",
            logger: logger
        )
    }

    /// The outbox's tables, as the migration of `version` in a service that has none yet.
    public static func migration(version: Int) -> Migration {
        Migration(
            version: version, name: "transactional outbox of events, per destination, and parked events",
            statements: [
                // Each event waits for its own next attempt: one that keeps failing holds back no other.
                """
                CREATE TABLE outbox_events (
                    sequence BIGSERIAL PRIMARY KEY,
                    id UUID NOT NULL UNIQUE,
                    destination TEXT NOT NULL,
                    payload JSONB NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    delivered_at TIMESTAMPTZ,
                    attempts INT NOT NULL DEFAULT 0,
                    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    last_error TEXT
                )
                """,
                "CREATE INDEX outbox_events_due_idx ON outbox_events (destination, next_attempt_at, sequence) WHERE delivered_at IS NULL",
                // An event its destination refused for good waits here, with the reason, until an
                // operator redelivers it (`<service> outbox redeliver`).
                """
                CREATE TABLE outbox_dead_letters (
                    id UUID PRIMARY KEY,
                    destination TEXT NOT NULL,
                    sequence BIGINT NOT NULL,
                    payload JSONB NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    attempts INT NOT NULL,
                    reason TEXT NOT NULL,
                    parked_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
            ]
        )
    }
}

/// Where a service's outbox events go: a service that acknowledges each one.
public protocol OutboxDestination: Sendable {
    /// The name stored with each event for it, and said in logs and reasons (`reports`, `webhooks`).
    var name: String { get }
    /// Delivers one event; returns once the receiving service acknowledged it, throws otherwise
    /// (an `InternalCallFailure` says whether retrying may help).
    func deliver(eventId: UUID, payload: String) async throws
}

/// An `OutboxDestination` that is another service's `POST /internal/events`, with this service's
/// Basic credentials there.
public struct InternalEventsDestination: OutboxDestination {
    public let name: String
    let client: InternalServiceClient

    public init(name: String, client: InternalServiceClient) {
        self.name = name
        self.client = client
    }

    public func deliver(eventId: UUID, payload: String) async throws {
        _ = try await client.send(.post, "/internal/events", body: payload, contentType: "application/json", requestId: "outbox-\(eventId.apiString)")
    }
}
