import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// One entry of an organization's audit trail: who (`actor`) did what (`action`) to which key
/// or member (`apiKeyId`, `subject`), and when.
struct AuditEvent: ResponseEncodable, Sendable, Equatable {
    let id: Int64
    /// `api_key.created`, `member.invited`, ... (docs/api-guide.md, "The audit log").
    let action: String
    let apiKeyId: String?
    /// The acting member's email and id; nil for what the platform did itself (`key.expired`).
    let actor: String?
    let actorId: String?
    /// The member the event concerns, for member, session and two-factor events.
    let subject: String?
    let subjectId: String?
    let details: [String: String]
    let createdAt: Date
}

/// The audit trail (`audit_events`): written in the transaction of the change it records, so
/// that there is no change without its event and no event without its change.
enum AuditTrail {
    static func record(
        _ connection: PostgresConnection, organizationId: UUID, actor: UUID?, action: String, keyId: UUID? = nil, subject: UUID? = nil,
        details: [String: String], logger: Logger
    ) async throws {
        let json = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO audit_events (organization_id, actor_user_id, action, api_key_id, subject_user_id, details)
            VALUES (\(organizationId), \(actor), \(action), \(keyId), \(subject), \(json)::jsonb)
            """,
            logger: logger
        )
    }

    /// What the list can be narrowed to: one action, one acting member.
    struct Filters: Sendable {
        var type: String?
        var actor: UUID?
    }

    /// One page of the organization's events that pass `filters`, newest first, and their count.
    static func events(_ client: PostgresClient, organizationId: UUID, filters: Filters, page: PageRequest, logger: Logger) async throws -> (
        [AuditEvent], Int
    ) {
        let rows = try await client.query(
            """
            SELECT a.id, a.action, a.api_key_id, u.email, a.actor_user_id, s.email, a.subject_user_id, a.details::text, a.created_at,
                   count(*) OVER () AS total
            FROM audit_events a LEFT JOIN console_users u ON u.id = a.actor_user_id LEFT JOIN console_users s ON s.id = a.subject_user_id
            WHERE a.organization_id = \(organizationId) AND (\(filters.type)::text IS NULL OR a.action = \(filters.type))
              AND (\(filters.actor)::uuid IS NULL OR a.actor_user_id = \(filters.actor))
            ORDER BY a.id DESC LIMIT \(page.pageSize) OFFSET \(page.offset)
            """,
            logger: logger
        )
        var events: [AuditEvent] = []
        var total = 0
        for try await (id, action, keyId, actor, actorId, subject, subjectId, details, createdAt, count) in rows.decode(
            (Int64, String, UUID?, String?, UUID?, String?, UUID?, String, Date, Int).self)
        {
            let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:]
            events.append(
                AuditEvent(
                    id: id, action: action, apiKeyId: keyId?.apiString, actor: actor, actorId: actorId?.apiString, subject: subject,
                    subjectId: subjectId?.apiString, details: decoded, createdAt: createdAt))
            total = count
        }
        if events.isEmpty, page.offset > 0 {
            total =
                try await client.query(
                    """
                    SELECT count(*) FROM audit_events a WHERE a.organization_id = \(organizationId)
                      AND (\(filters.type)::text IS NULL OR a.action = \(filters.type))
                      AND (\(filters.actor)::uuid IS NULL OR a.actor_user_id = \(filters.actor))
                    """,
                    logger: logger
                ).collect().first?.decode(Int.self) ?? 0
        }
        return (events, total)
    }
}
