import Foundation
import Logging
import PostgresNIO
import Shared

/// `APIKeyRepository` on PostgreSQL; every statement binds its values and names the organization.
struct PostgresAPIKeyRepository: APIKeyRepository {
    let client: PostgresClient
    let logger: Logger

    static let columns = """
        k.id, k.organization_id, k.name, k.prefix, k.scopes, k.created_at, u.email, k.last_used_at, k.revoked_at
        FROM api_keys k LEFT JOIN console_users u ON u.id = k.created_by
        """

    func create(token: APIKeyToken, organizationId: UUID, name: String, scopes: [Scope], actor: ConsoleUser) async throws -> APIKeyRecord {
        let id = UUID()
        let scopeNames = scopes.map(\.rawValue)
        let digest = token.digest
        let prefix = token.displayPrefix
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (id, organization_id, name, prefix, digest, scopes, created_by)
                VALUES (\(id), \(organizationId), \(name), \(prefix), \(digest), \(scopeNames), \(actor.id))
                RETURNING created_at
                """,
                logger: logger
            )
            var createdAt = Date()
            for try await value in rows.decode(Date.self) { createdAt = value }
            try await Self.audit(
                connection, organizationId: organizationId, actor: actor.id, action: "api_key.created", keyId: id,
                details: ["name": name, "scopes": scopeNames.joined(separator: " ")], logger: logger
            )
            return APIKeyRecord(
                id: id, organizationId: organizationId, name: name, prefix: prefix, scopes: scopeNames,
                createdAt: createdAt, createdBy: actor.email, lastUsedAt: nil, revokedAt: nil
            )
        }
    }

    func list(organizationId: UUID, page: PageRequest) async throws -> ([APIKeyRecord], Int) {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.columns)
            WHERE k.organization_id = \(organizationId)
            ORDER BY k.created_at DESC, k.id DESC LIMIT \(page.pageSize) OFFSET \(page.offset)
            """,
            logger: logger
        )
        let records = try await Self.records(rows)
        var total = 0
        for try await count in try await client.query("SELECT count(*) FROM api_keys WHERE organization_id = \(organizationId)", logger: logger)
            .decode(Int.self)
        {
            total = count
        }
        return (records, total)
    }

    func find(id: UUID, organizationId: UUID) async throws -> APIKeyRecord? {
        try await Self.find(client, id: id, organizationId: organizationId, logger: logger)
    }

    func revoke(id: UUID, organizationId: UUID, actor: ConsoleUser) async throws -> APIKeyRecord? {
        try await client.transaction(logger: logger) { connection in
            let revoked = try await connection.query(
                """
                UPDATE api_keys SET revoked_at = now()
                WHERE id = \(id) AND organization_id = \(organizationId) AND revoked_at IS NULL
                RETURNING name
                """,
                logger: logger
            )
            for try await name in revoked.decode(String.self) {
                try await Self.audit(
                    connection, organizationId: organizationId, actor: actor.id, action: "api_key.revoked", keyId: id,
                    details: ["name": name], logger: logger
                )
                // Last, after the row lock: its trigger holds the log's lock until the commit.
                try await connection.query("INSERT INTO revocations (api_key_id) VALUES (\(id))", logger: logger)
            }
            return try await Self.find(connection, id: id, organizationId: organizationId, logger: logger)
        }
    }

    func rename(id: UUID, organizationId: UUID, name: String, actor: ConsoleUser) async throws -> APIKeyRecord? {
        try await client.transaction(logger: logger) { connection in
            let current = try await connection.query(
                "SELECT name FROM api_keys WHERE id = \(id) AND organization_id = \(organizationId) FOR UPDATE",
                logger: logger
            )
            var oldName: String?
            for try await value in current.decode(String.self) { oldName = value }
            guard let oldName else { return nil }
            if oldName != name {
                try await connection.query("UPDATE api_keys SET name = \(name) WHERE id = \(id)", logger: logger)
                try await Self.audit(
                    connection, organizationId: organizationId, actor: actor.id, action: "api_key.renamed", keyId: id,
                    details: ["from": oldName, "to": name], logger: logger
                )
            }
            return try await Self.find(connection, id: id, organizationId: organizationId, logger: logger)
        }
    }

    func findActive(digest: Data) async throws -> ActiveKey? {
        let rows = try await client.query(
            """
            SELECT k.id, k.organization_id, k.scopes, k.created_at, o.plan, o.rate_per_second, o.rate_per_minute
            FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE k.digest = \(digest) AND k.revoked_at IS NULL
            """,
            logger: logger
        )
        for try await (id, organizationId, scopes, createdAt, plan, perSecond, perMinute) in rows.decode((UUID, UUID, [String], Date, String, Int?, Int?).self) {
            // The column's CHECK allows only the four plans; anything else is refused, not guessed.
            guard let plan = Plan(rawValue: plan) else { throw StoredValueError(column: "plan", value: plan, type: "Plan") }
            let limits = plan.standardLimits.map { RateLimits(plan: plan, perSecond: $0.perSecond, perMinute: $0.perMinute) }
                ?? RateLimits(plan: plan, perSecond: perSecond, perMinute: perMinute)
            return ActiveKey(id: id, organizationId: organizationId, scopes: scopes, createdAt: createdAt, rateLimits: limits)
        }
        return nil
    }

    func recordUsage(_ usage: [UUID: Date]) async throws {
        guard !usage.isEmpty else { return }
        let ids = Array(usage.keys)
        let times = ids.map { usage[$0]! }
        try await client.query(
            """
            UPDATE api_keys SET last_used_at = GREATEST(api_keys.last_used_at, u.used_at)
            FROM unnest(\(ids)::uuid[], \(times)::timestamptz[]) AS u(id, used_at)
            WHERE api_keys.id = u.id
            """,
            logger: logger
        )
    }

    func revocations(after sequence: Int64, limit: Int) async throws -> (events: [(Int64, UUID)], latest: Int64) {
        let rows = try await client.query(
            """
            SELECT sequence, api_key_id, (SELECT coalesce(max(sequence), 0) FROM revocations) AS latest
            FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                SELECT sequence, api_key_id FROM revocations WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
            ) AS r ON true
            """,
            logger: logger
        )
        var events: [(Int64, UUID)] = []
        var latest: Int64 = 0
        for try await (eventSequence, keyId, newest) in rows.decode((Int64?, UUID?, Int64).self) {
            latest = newest
            if let eventSequence, let keyId { events.append((eventSequence, keyId)) }
        }
        return (events, latest)
    }

    func followRevocations(_ newest: @Sendable (Int64) -> Void) async throws {
        // One pooled connection, held for as long as the subscription lasts.
        try await client.withConnection { connection in
            try await connection.listen(on: "revocations") { notifications in
                for try await notification in notifications {
                    if let sequence = Int64(notification.payload) { newest(sequence) }
                }
            }
        }
    }

    func auditEvents(organizationId: UUID, page: PageRequest) async throws -> ([AuditEvent], Int) {
        let rows = try await client.query(
            """
            SELECT a.id, a.action, a.api_key_id, u.email, a.details::text, a.created_at
            FROM audit_events a LEFT JOIN console_users u ON u.id = a.actor_user_id
            WHERE a.organization_id = \(organizationId)
            ORDER BY a.id DESC LIMIT \(page.pageSize) OFFSET \(page.offset)
            """,
            logger: logger
        )
        var events: [AuditEvent] = []
        for try await (id, action, keyId, actor, details, createdAt) in rows.decode((Int64, String, UUID?, String?, String, Date).self) {
            let decoded = (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:]
            events.append(AuditEvent(id: id, action: action, apiKeyId: keyId?.apiString, actor: actor, details: decoded, createdAt: createdAt))
        }
        var total = 0
        for try await count in try await client.query("SELECT count(*) FROM audit_events WHERE organization_id = \(organizationId)", logger: logger)
            .decode(Int.self)
        {
            total = count
        }
        return (events, total)
    }

    // MARK: Helpers shared by the pool and a transaction's connection

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, logger: Logger) async throws -> APIKeyRecord? {
        let rows = try await runner.run(
            "SELECT \(unescaped: Self.columns) WHERE k.id = \(id) AND k.organization_id = \(organizationId)",
            logger: logger
        )
        return try await records(rows).first
    }

    static func records(_ rows: PostgresRowSequence) async throws -> [APIKeyRecord] {
        var records: [APIKeyRecord] = []
        for try await (id, organizationId, name, prefix, scopes, createdAt, createdBy, lastUsedAt, revokedAt) in rows.decode(
            (UUID, UUID, String, String, [String], Date, String?, Date?, Date?).self
        ) {
            records.append(
                APIKeyRecord(
                    id: id, organizationId: organizationId, name: name, prefix: prefix, scopes: scopes, createdAt: createdAt,
                    createdBy: createdBy, lastUsedAt: lastUsedAt, revokedAt: revokedAt
                )
            )
        }
        return records
    }

    static func audit(
        _ connection: PostgresConnection, organizationId: UUID, actor: UUID?, action: String, keyId: UUID?,
        details: [String: String], logger: Logger
    ) async throws {
        let json = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO audit_events (organization_id, actor_user_id, action, api_key_id, details)
            VALUES (\(organizationId), \(actor), \(action), \(keyId), \(json)::jsonb)
            """,
            logger: logger
        )
    }
}
