import Foundation
import Logging
import PostgresNIO

/// The events their destinations refused for good, as the relay parked them, for the
/// operator's `<service> outbox list` and `<service> outbox redeliver`.
public struct OutboxDeadLetters: Sendable {
    public struct Parked: Sendable, Encodable {
        public let eventId: String
        public let destination: String
        public let type: String
        public let organizationId: String
        public let attempts: Int
        public let reason: String
        public let createdAt: Date
        public let parkedAt: Date
        public let bytes: Int
    }

    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Every parked event, oldest first.
    public func list() async throws -> [Parked] {
        let rows = try await client.query(
            """
            SELECT id, destination, coalesce(payload->>'type', ''), coalesce(payload->>'organizationId', ''), attempts, reason, created_at,
                   parked_at, octet_length(payload::text)
            FROM outbox_dead_letters ORDER BY sequence
            """,
            logger: logger
        )
        var parked: [Parked] = []
        for try await (id, destination, type, organization, attempts, reason, created, parkedAt, bytes) in rows.decode(
            (UUID, String, String, String, Int, String, Date, Date, Int).self)
        {
            parked.append(
                Parked(
                    eventId: id.apiString, destination: destination, type: type, organizationId: organization, attempts: attempts,
                    reason: reason, createdAt: created, parkedAt: parkedAt, bytes: bytes))
        }
        return parked
    }

    /// Moves the given parked events (all of them when `ids` is nil) back to the outbox, due at
    /// once with no attempts; returns the ids moved.
    public func redeliver(ids: [UUID]?) async throws -> [UUID] {
        let all = ids == nil
        let chosen = ids ?? []
        let rows = try await client.query(
            """
            WITH moved AS (
                DELETE FROM outbox_dead_letters WHERE \(all) OR id = ANY(\(chosen)) RETURNING id, destination, sequence, payload, created_at
            )
            INSERT INTO outbox_events (id, destination, sequence, payload, created_at)
            SELECT id, destination, sequence, payload, created_at FROM moved
            RETURNING id
            """,
            logger: logger
        )
        var moved: [UUID] = []
        for try await id in rows.decode(UUID.self) { moved.append(id) }
        return moved
    }
}
