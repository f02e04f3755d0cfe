import Foundation
import Logging
import PostgresNIO
import Shared

/// What people ask of deliveries: the log of an endpoint's messages, sending one again, and
/// recovering the failed ones since a time.
extension MessageQueue {
    /// A page of the endpoint's messages, newest first, each with its attempts in order.
    func deliveries(endpointId: UUID, organizationId: UUID, status: Delivery.Status?, page: PageRequest) async throws -> ([Delivery], Int) {
        var (deliveries, total) = try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT m.id, m.event_id, ev.type, m.status, m.created_at, m.next_attempt_at, count(*) OVER () AS total
                    FROM webhook_messages m JOIN webhook_events ev ON ev.id = m.event_id
                    WHERE m.endpoint_id = \(endpointId) AND m.organization_id = \(organizationId)
                      AND (\(status?.rawValue)::text IS NULL OR m.status = \(status?.rawValue))
                    ORDER BY m.created_at DESC, m.id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            },
            item: { row in
                let cells = row.makeRandomAccess()
                return Delivery(
                    id: try cells[0].decode(UUID.self), eventId: try cells[1].decode(String.self), eventType: try cells[2].decode(String.self),
                    status: try cells[3].decodeEnum(Delivery.Status.self), createdAt: try cells[4].decode(Date.self),
                    nextAttemptAt: try cells[5].decode(Date?.self), attempts: [])
            })
        let rows = try await client.run(
            """
            SELECT message_id, attempted_at, response_status, duration_ms, error FROM webhook_attempts
            WHERE message_id = ANY(\(deliveries.map(\.id))) ORDER BY attempted_at, id
            """,
            logger: logger
        )
        var attempts: [UUID: [Delivery.Attempt]] = [:]
        for try await (message, at, status, duration, error) in rows.decode((UUID, Date, Int?, Int, String?).self) {
            attempts[message, default: []].append(Delivery.Attempt(attemptedAt: at, responseStatus: status, durationMs: duration, error: error))
        }
        for index in deliveries.indices { deliveries[index].attempts = attempts[deliveries[index].id] ?? [] }
        return (deliveries, total)
    }

    /// Sends one message again now (once: a failure leaves it FAILED); false if the endpoint has no such message.
    func retry(messageId: UUID, endpointId: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run(
            """
            UPDATE webhook_messages SET status = 'PENDING', next_attempt_at = now(),
                schedule_step = CASE WHEN status = 'PENDING' THEN schedule_step ELSE \(schedule.retries.count) END
            WHERE id = \(messageId) AND endpoint_id = \(endpointId) AND organization_id = \(organizationId)
            RETURNING id
            """,
            logger: logger
        )
        return try await rows.collect().count == 1
    }

    /// Sends again now every FAILED message of the endpoint created at or after `since`; how many.
    func recover(endpointId: UUID, organizationId: UUID, since: Date) async throws -> Int {
        let rows = try await client.run(
            """
            WITH queued AS (
                UPDATE webhook_messages SET status = 'PENDING', next_attempt_at = now(), schedule_step = \(schedule.retries.count)
                WHERE endpoint_id = \(endpointId) AND organization_id = \(organizationId) AND status = 'FAILED' AND created_at >= \(since)
                RETURNING id
            )
            SELECT count(*) FROM queued
            """,
            logger: logger
        )
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
