import Foundation
import Logging
import PostgresNIO
import Shared

/// What people ask of deliveries: the log of an endpoint's messages, sending one again, and
/// recovering the failed ones since a time.
extension MessageQueue {
    /// A page of the endpoint's messages, newest first, each with its attempts in order. One
    /// statement, so one snapshot: a message's status and its attempts are read as of the same
    /// moment (read apart, an attempt recorded in between showed beside the status from before it).
    func deliveries(endpointId: UUID, organizationId: UUID, status: Delivery.Status?, page: PageRequest) async throws -> ([Delivery], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                // No answer and no error are -1 and '' in the arrays (never stored: `record` writes NULL).
                try await client.run(
                    """
                    SELECT p.id, p.event_id, p.type, p.status, p.created_at, p.next_attempt_at, p.total,
                        a.attempted_at, a.response_status, a.duration_ms, a.error
                    FROM (
                        SELECT m.id, m.event_id, ev.type, m.status, m.created_at, m.next_attempt_at, count(*) OVER () AS total
                        FROM webhook_messages m JOIN webhook_events ev ON ev.id = m.event_id
                        WHERE m.endpoint_id = \(endpointId) AND m.organization_id = \(organizationId)
                          AND (\(status?.rawValue)::text IS NULL OR m.status = \(status?.rawValue))
                        ORDER BY m.created_at DESC, m.id DESC LIMIT \(limit) OFFSET \(offset)
                    ) p
                    CROSS JOIN LATERAL (
                        SELECT coalesce(array_agg(t.attempted_at ORDER BY t.attempted_at, t.id), '{}') AS attempted_at,
                            coalesce(array_agg(coalesce(t.response_status, -1)::int8 ORDER BY t.attempted_at, t.id), '{}') AS response_status,
                            coalesce(array_agg(t.duration_ms::int8 ORDER BY t.attempted_at, t.id), '{}') AS duration_ms,
                            coalesce(array_agg(coalesce(t.error, '') ORDER BY t.attempted_at, t.id), '{}') AS error
                        FROM webhook_attempts t WHERE t.message_id = p.id
                    ) a
                    ORDER BY p.created_at DESC, p.id DESC
                    """,
                    logger: logger
                )
            },
            item: { row in
                let cells = row.makeRandomAccess()
                let (times, statuses, durations, errors) = (
                    try cells[7].decode([Date].self), try cells[8].decode([Int].self), try cells[9].decode([Int].self),
                    try cells[10].decode([String].self)
                )
                let attempts = times.indices.map { index in
                    Delivery.Attempt(
                        attemptedAt: times[index], responseStatus: statuses[index] < 0 ? nil : statuses[index], durationMs: durations[index],
                        error: errors[index].isEmpty ? nil : errors[index])
                }
                return Delivery(
                    id: try cells[0].decode(UUID.self), eventId: try cells[1].decode(String.self), eventType: try cells[2].decode(String.self),
                    status: try cells[3].decodeEnum(Delivery.Status.self), createdAt: try cells[4].decode(Date.self),
                    nextAttemptAt: try cells[5].decode(Date?.self), attempts: attempts)
            })
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
