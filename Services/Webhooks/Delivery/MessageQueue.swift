import Foundation
import Logging
import PostgresNIO
import Shared

/// Events and the messages they make, in PostgreSQL: taking an event once, claiming due
/// messages fairly, recording attempts, and what people ask of deliveries (docs/design/webhooks.md).
struct MessageQueue: Sendable {
    let client: PostgresClient
    let schedule: DeliverySchedule
    let logger: Logger

    // MARK: Events in

    /// Takes an event a producer handed over, once: a new id makes one message per enabled
    /// endpoint of its organization subscribed to its type, due now; a known id changes nothing.
    /// Returns whether it was new and how many messages it made.
    func accept(_ header: WebhookEventHeader, createdAt: Date, body: String) async throws -> (new: Bool, messages: Int) {
        let rows = try await client.run(
            """
            WITH event AS (
                INSERT INTO webhook_events (id, organization_id, type, body, created_at)
                VALUES (\(header.id), \(header.organizationId), \(header.type), \(body), \(createdAt))
                ON CONFLICT (id) DO NOTHING RETURNING id
            ), messages AS (
                INSERT INTO webhook_messages (id, event_id, endpoint_id, organization_id, next_attempt_at)
                SELECT gen_random_uuid(), event.id, e.id, e.organization_id, now() FROM event
                JOIN webhook_endpoints e ON e.organization_id = \(header.organizationId) AND e.status = 'ENABLED' AND e.deleted_at IS NULL
                    AND (cardinality(e.event_types) = 0 OR \(header.type) = ANY(e.event_types))
                RETURNING id
            )
            SELECT (SELECT count(*) FROM event), (SELECT count(*) FROM messages)
            """,
            logger: logger
        )
        for try await (events, messages) in rows.decode((Int, Int).self) { return (events == 1, messages) }
        return (false, 0)
    }

    /// A `webhook.test` event for one endpoint of the organization, due now; nil if there is no such endpoint.
    func sendTest(endpointId: UUID, organizationId: UUID) async throws -> (eventId: String, deliveryId: UUID)? {
        let eventId = WebhookEventHeader.newId()
        let now = Date()
        let body = try TestEventBody.json(id: eventId, organizationId: organizationId, endpointId: endpointId, at: now)
        let messageId = UUID()
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id FROM webhook_endpoints WHERE id = \(endpointId) AND organization_id = \(organizationId) AND deleted_at IS NULL
                """,
                logger: logger
            )
            guard try await rows.collect().first != nil else { return nil }
            try await connection.query(
                """
                INSERT INTO webhook_events (id, organization_id, type, body, created_at)
                VALUES (\(eventId), \(organizationId), \(WebhookEventType.test.rawValue), \(body), \(now))
                """,
                logger: logger
            )
            try await connection.query(
                """
                INSERT INTO webhook_messages (id, event_id, endpoint_id, organization_id, next_attempt_at)
                VALUES (\(messageId), \(eventId), \(endpointId), \(organizationId), now())
                """,
                logger: logger
            )
            return (eventId, messageId)
        }
    }

    // MARK: The dispatcher's side

    /// How the dispatcher asks for work: the room it has overall, per endpoint and per
    /// organization, and the endpoints and organizations with attempts under way.
    struct Room: Sendable {
        var total: Int
        var perEndpoint: Int
        var perOrganization: Int
        /// Endpoints with messages in flight, and the room each has left.
        var busyEndpoints: [(UUID, Int)]
        /// Organizations with messages in flight, and the room each has left.
        var busyOrganizations: [(UUID, Int)]
    }

    /// Claims due messages of enabled endpoints, at most `room.total`, taking organizations in
    /// turn (every organization's first message before anyone's second), and at most the room
    /// each endpoint and each organization has left. A claim moves the message's next attempt `lease` ahead: if this
    /// process dies mid-attempt, the message is due again then, on any replica.
    func claim(room: Room, lease: Duration) async throws -> [ClaimedMessage] {
        guard room.total > 0 else { return [] }
        let busyIds = room.busyEndpoints.map(\.0)
        let busyRoom = room.busyEndpoints.map(\.1)
        let organizationIds = room.busyOrganizations.map(\.0)
        let organizationRoom = room.busyOrganizations.map(\.1)
        let leaseSeconds = Double(lease.components.seconds)
        let rows = try await client.run(
            """
            WITH ranked AS (
                SELECT m.id, e.organization_id, m.next_attempt_at,
                    row_number() OVER (PARTITION BY e.organization_id ORDER BY m.next_attempt_at, m.id) AS turn
                FROM webhook_endpoints e
                LEFT JOIN unnest(\(busyIds)::uuid[], \(busyRoom)::int8[]) AS b(endpoint_id, room) ON b.endpoint_id = e.id
                CROSS JOIN LATERAL (
                    SELECT id, next_attempt_at FROM webhook_messages
                    WHERE endpoint_id = e.id AND status = 'PENDING' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT coalesce(b.room, \(room.perEndpoint))
                ) m
                WHERE e.status = 'ENABLED' AND e.deleted_at IS NULL AND coalesce(b.room, \(room.perEndpoint)) > 0
            ), candidates AS (
                SELECT r.id FROM ranked r
                LEFT JOIN unnest(\(organizationIds)::uuid[], \(organizationRoom)::int8[]) AS o(organization_id, room)
                    ON o.organization_id = r.organization_id
                WHERE r.turn <= coalesce(o.room, \(room.perOrganization))
                ORDER BY r.turn, r.next_attempt_at LIMIT \(room.total)
            )
            UPDATE webhook_messages m SET next_attempt_at = now() + make_interval(secs => \(leaseSeconds))
            FROM candidates c, webhook_events ev, webhook_endpoints e
            WHERE m.id = c.id AND m.status = 'PENDING' AND m.next_attempt_at <= now() AND ev.id = m.event_id AND e.id = m.endpoint_id
            RETURNING m.id, m.event_id, m.endpoint_id, m.organization_id, m.schedule_step, ev.body, e.url
            """,
            logger: logger
        )
        var claimed: [ClaimedMessage] = []
        for try await (id, event, endpoint, organization, step, body, url) in rows.decode((UUID, String, UUID, UUID, Int, String, String).self) {
            claimed.append(
                ClaimedMessage(id: id, eventId: event, endpointId: endpoint, organizationId: organization, scheduleStep: step, body: body, url: url))
        }
        return claimed
    }

    /// Records attempts and what follows from each, in one statement for the whole batch (one
    /// commit, not one per attempt: `AttemptRecorder` gathers them): each message succeeds, waits
    /// for its next retry (never sooner than a `Retry-After`) or fails for good; each endpoint
    /// forgets its failures when one of its attempts succeeded, or is disabled by a 410 or by
    /// failing past `disableAfter`.
    func record(_ batch: [(outcome: AttemptOutcome, message: ClaimedMessage)]) async throws {
        guard !batch.isEmpty else { return }
        var ids: [UUID] = []
        var endpoints: [UUID] = []
        var attemptedAt: [Double] = []
        var responses: [Int] = []
        var durations: [Int] = []
        var errors: [String] = []
        var excerpts: [String] = []
        var statuses: [String] = []
        var steps: [Int] = []
        var waits: [Double] = []
        var succeeded: [Bool] = []
        var gone: [Bool] = []
        for (outcome, message) in batch {
            var status = Delivery.Status.FAILED
            var wait = 0.0
            var step = message.scheduleStep
            if outcome.succeeded {
                status = .SUCCEEDED
            } else if !outcome.gone, let retry = schedule.wait(beforeRetry: message.scheduleStep) {
                status = .PENDING
                wait = max(retry, min(outcome.retryAfter ?? 0, 30 * 86400))
                step += 1
            }
            ids.append(message.id)
            endpoints.append(message.endpointId)
            attemptedAt.append(outcome.attemptedAt.timeIntervalSince1970)
            // No answer, no error, no excerpt: -1 and '' here, NULL in the table.
            responses.append(outcome.responseStatus ?? -1)
            durations.append(outcome.durationMs)
            errors.append(outcome.error ?? "")
            excerpts.append(outcome.excerpt ?? "")
            statuses.append(status.rawValue)
            steps.append(step)
            waits.append(wait)
            succeeded.append(outcome.succeeded)
            gone.append(outcome.gone)
        }
        try await client.run(
            """
            WITH input AS (
                SELECT * FROM unnest(\(ids)::uuid[], \(endpoints)::uuid[], \(attemptedAt)::float8[], \(responses)::int8[], \(durations)::int8[],
                    \(errors)::text[], \(excerpts)::text[], \(statuses)::text[], \(steps)::int8[], \(waits)::float8[], \(succeeded)::bool[],
                    \(gone)::bool[])
                AS i(message_id, endpoint_id, attempted_at, response_status, duration_ms, error, excerpt, status, step, wait_s, succeeded, gone)
            ), attempts AS (
                INSERT INTO webhook_attempts (message_id, attempted_at, response_status, duration_ms, error, response_excerpt)
                SELECT message_id, to_timestamp(attempted_at), NULLIF(response_status, -1), duration_ms, NULLIF(error, ''), NULLIF(excerpt, '')
                FROM input
            ), outcome AS (
                SELECT endpoint_id, bool_or(succeeded) AS succeeded, bool_or(gone) AS gone, to_timestamp(min(attempted_at)) AS first_at
                FROM input GROUP BY endpoint_id
            ), endpoint AS (
                UPDATE webhook_endpoints e SET
                    failing_since = CASE WHEN o.succeeded THEN NULL ELSE coalesce(e.failing_since, o.first_at) END,
                    disabled_reason = CASE
                        WHEN e.status = 'DISABLED' OR o.succeeded THEN e.disabled_reason
                        WHEN o.gone THEN 'GONE'
                        WHEN e.failing_since <= now() - make_interval(secs => \(schedule.disableAfter)) THEN 'FAILING'
                        ELSE NULL END,
                    status = CASE
                        WHEN e.status = 'DISABLED' OR o.succeeded THEN e.status
                        WHEN o.gone OR e.failing_since <= now() - make_interval(secs => \(schedule.disableAfter)) THEN 'DISABLED'
                        ELSE e.status END
                FROM outcome o WHERE e.id = o.endpoint_id
            )
            UPDATE webhook_messages m SET status = i.status, attempts = m.attempts + 1, schedule_step = i.step,
                last_attempt_at = to_timestamp(i.attempted_at),
                next_attempt_at = CASE WHEN i.status = 'PENDING' THEN now() + make_interval(secs => i.wait_s) END
            FROM input i WHERE m.id = i.message_id
            """,
            logger: logger
        )
    }

    /// How long messages and their attempts are kept.
    static let retention = Duration.seconds(30 * 86400)

    /// Forgets messages (with their attempts) and events older than `retention`, and secrets
    /// that expired; a batch at a time so no statement holds many locks. Returns the messages forgotten.
    func purge(retention: Duration, batch: Int = 5000) async throws -> Int {
        let seconds = Double(retention.components.seconds)
        var forgotten = 0
        while true {
            let rows = try await client.run(
                """
                WITH gone AS (
                    DELETE FROM webhook_messages WHERE id IN (
                        SELECT id FROM webhook_messages WHERE created_at < now() - make_interval(secs => \(seconds)) LIMIT \(batch))
                    RETURNING id
                )
                SELECT count(*) FROM gone
                """,
                logger: logger
            )
            var count = 0
            for try await n in rows.decode(Int.self) { count = n }
            forgotten += count
            if count < batch { break }
        }
        try await client.run(
            """
            DELETE FROM webhook_events ev WHERE ev.received_at < now() - make_interval(secs => \(seconds))
              AND NOT EXISTS (SELECT 1 FROM webhook_messages m WHERE m.event_id = ev.id)
            """,
            logger: logger
        )
        try await client.run("DELETE FROM webhook_secrets WHERE expires_at < now() - interval '1 day'", logger: logger)
        return forgotten
    }
}
