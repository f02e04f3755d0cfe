import Foundation
import Logging
import PostgresNIO
import Shared

/// The events the reports service refused for good, as the relay parked them, for the
/// operator's `interviews outbox list` and `interviews outbox redeliver`.
struct OutboxDeadLetters: Sendable {
    struct Parked: Sendable, Encodable {
        let eventId: String
        let type: String
        let organizationId: String
        let attempts: Int
        let reason: String
        let createdAt: Date
        let parkedAt: Date
        let bytes: Int
    }

    let client: PostgresClient
    let logger: Logger

    /// Every parked event, oldest first.
    func list() async throws -> [Parked] {
        let rows = try await client.query(
            """
            SELECT id, coalesce(payload->>'type', ''), coalesce(payload->>'organizationId', ''), attempts, reason, created_at, parked_at,
                   octet_length(payload::text)
            FROM outbox_dead_letters ORDER BY sequence
            """,
            logger: logger
        )
        var parked: [Parked] = []
        for try await (id, type, organization, attempts, reason, created, parkedAt, bytes) in rows.decode(
            (UUID, String, String, Int, String, Date, Date, Int).self)
        {
            parked.append(
                Parked(
                    eventId: id.apiString, type: type, organizationId: organization, attempts: attempts, reason: reason, createdAt: created,
                    parkedAt: parkedAt, bytes: bytes))
        }
        return parked
    }

    /// Moves the given parked events (all of them when `ids` is nil) back to the outbox, due at
    /// once with no attempts; returns the ids moved.
    func redeliver(ids: [UUID]?) async throws -> [UUID] {
        let all = ids == nil
        let chosen = ids ?? []
        let rows = try await client.query(
            """
            WITH moved AS (
                DELETE FROM outbox_dead_letters WHERE \(all) OR id = ANY(\(chosen)) RETURNING id, sequence, payload, created_at
            )
            INSERT INTO outbox_events (id, sequence, payload, created_at) SELECT id, sequence, payload, created_at FROM moved
            RETURNING id
            """,
            logger: logger
        )
        var moved: [UUID] = []
        for try await id in rows.decode(UUID.self) { moved.append(id) }
        return moved
    }
}
