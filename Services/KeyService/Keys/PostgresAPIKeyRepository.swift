import Foundation
import Logging
import PostgresNIO
import Shared

/// `APIKeyRepository` on PostgreSQL; every statement binds its values and names the organization.
struct PostgresAPIKeyRepository: APIKeyRepository {
    let client: PostgresClient
    let logger: Logger

    static let selection = """
        k.id, k.organization_id, k.name, k.prefix, k.scopes, k.created_at, u.email, k.last_used_at, k.revoked_at,
        k.expires_at, k.rolled_to, k.rolled_from, k.revocation_reason, k.leak_url
        """
    static let source = "FROM api_keys k LEFT JOIN console_users u ON u.id = k.created_by"
    static let columns = selection + "\n" + source

    func create(token: APIKeyToken, organizationId: UUID, name: String, scopes: [Scope], actor: ConsoleUser) async throws -> APIKeyRecord {
        let scopeNames = scopes.map(\.rawValue)
        return try await client.transaction(logger: logger) { connection in
            let record = try await Self.insert(connection, token: token, organizationId: organizationId, name: name, scopes: scopeNames, rolledFrom: nil, actor: actor, logger: logger)
            try await Self.audit(
                connection, organizationId: organizationId, actor: actor.id, action: "api_key.created", keyId: record.id,
                details: ["name": name, "scopes": scopeNames.joined(separator: " ")], logger: logger
            )
            return record
        }
    }

    func roll(id: UUID, organizationId: UUID, expiresIn: Duration, token: APIKeyToken, actor: ConsoleUser) async throws -> (old: APIKeyRecord, new: APIKeyRecord)? {
        let seconds = Double(expiresIn.nanosecondsCount) / 1e9
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT name, scopes, revoked_at IS NOT NULL OR rolled_to IS NOT NULL OR expires_at <= now() FROM api_keys
                WHERE id = \(id) AND organization_id = \(organizationId) FOR UPDATE
                """,
                logger: logger
            )
            guard let row = try await rows.collect().first else { return nil }
            let (name, scopes, finished) = try row.decode((String, [String], Bool?).self)
            if finished == true {
                throw APIError.conflict("KEY_NOT_ROLLABLE", "Only an active key can be rolled; this one is revoked, expired or already rolled")
            }
            let successor = try await Self.insert(connection, token: token, organizationId: organizationId, name: name, scopes: scopes, rolledFrom: id, actor: actor, logger: logger)
            let expiry = try await connection.query(
                """
                UPDATE api_keys SET expires_at = now() + make_interval(secs => \(seconds)), rolled_to = \(successor.id)
                WHERE id = \(id) RETURNING expires_at
                """,
                logger: logger
            ).collect().first?.decode(Date.self)
            try await Self.audit(
                connection, organizationId: organizationId, actor: actor.id, action: "key.rolled", keyId: id,
                details: ["from": id.apiString, "to": successor.id.apiString, "expiresAt": expiry.map { ISO8601DateFormatter().string(from: $0) } ?? ""], logger: logger
            )
            // Last, after the row lock: every resource service drops the answers it cached
            // before the roll, which did not carry the expiry.
            try await connection.query("INSERT INTO revocations (api_key_id, kind) VALUES (\(id), 'CHANGED')", logger: logger)
            guard let old = try await Self.find(connection, id: id, organizationId: organizationId, logger: logger) else { return nil }
            return (old, successor)
        }
    }

    func revokeAll(organizationId: UUID, actor: ConsoleUser) async throws -> Int {
        try await client.transaction(logger: logger) { connection in
            // Every row lock first, then the log's lock (its trigger), as every writer does.
            try await connection.query(
                """
                SELECT id FROM api_keys WHERE organization_id = \(organizationId) AND revoked_at IS NULL
                  AND (expires_at IS NULL OR expires_at > now()) ORDER BY id FOR UPDATE
                """,
                logger: logger
            ).collect()
            let rows = try await connection.query(
                """
                WITH revoked AS (
                    UPDATE api_keys SET revoked_at = now(), revocation_reason = 'REVOKED_ALL'
                    WHERE organization_id = \(organizationId) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                    RETURNING id, name
                ), audited AS (
                    INSERT INTO audit_events (organization_id, actor_user_id, action, api_key_id, details)
                    SELECT \(organizationId), \(actor.id), 'api_key.revoked', id, jsonb_build_object('name', name, 'reason', 'revoke-all') FROM revoked
                ), logged AS (
                    INSERT INTO revocations (api_key_id) SELECT id FROM revoked ORDER BY id
                )
                SELECT count(*) FROM revoked
                """,
                logger: logger
            )
            return try await rows.collect().first?.decode(Int.self) ?? 0
        }
    }

    func revokeLeaked(digest: Data, url: String?, reporter: String) async throws -> Bool {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE api_keys SET revoked_at = now(), revocation_reason = 'LEAKED', leak_url = \(url)
                WHERE digest = \(digest) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                RETURNING id, organization_id, name
                """,
                logger: logger
            )
            guard let row = try await rows.collect().first else { return false }
            let (id, organizationId, name) = try row.decode((UUID, UUID, String).self)
            try await Self.audit(
                connection, organizationId: organizationId, actor: nil, action: "key.leaked", keyId: id,
                details: ["name": name, "reporter": reporter, "url": url ?? ""], logger: logger
            )
            try await connection.query("INSERT INTO revocations (api_key_id) VALUES (\(id))", logger: logger)
            return true
        }
    }

    func leakReportAnswer(bodyDigest: Data) async throws -> String? {
        try await client.query("SELECT answer FROM leak_reports WHERE body_digest = \(bodyDigest)", logger: logger)
            .collect().first?.decode(String.self)
    }

    func recordLeakReport(bodyDigest: Data, reporter: String, answer: String) async throws {
        try await client.query(
            """
            INSERT INTO leak_reports (body_digest, reporter, answer) VALUES (\(bodyDigest), \(reporter), \(answer))
            ON CONFLICT (body_digest) DO NOTHING
            """,
            logger: logger
        )
    }

    func recordExpiries() async throws -> Int {
        // Once per key, whichever replica gets there first; an expiry that passed while every
        // replica was down is recorded when one is back.
        let rows = try await client.query(
            """
            WITH expired AS (
                UPDATE api_keys SET expiry_recorded_at = now()
                WHERE expires_at <= now() AND expiry_recorded_at IS NULL AND revoked_at IS NULL
                RETURNING id, organization_id, name, expires_at
            )
            INSERT INTO audit_events (organization_id, action, api_key_id, details)
            SELECT organization_id, 'key.expired', id, jsonb_build_object('name', name, 'expiresAt', to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
            FROM expired RETURNING 1
            """,
            logger: logger
        )
        return try await rows.collect().count
    }

    /// The SQL condition of each status filter, on `k`.
    static func condition(_ status: APIKeyStatus?) -> String {
        switch status {
        case nil: "true"
        case .ACTIVE: "k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())"
        case .EXPIRING: "k.revoked_at IS NULL AND k.expires_at > now()"
        case .EXPIRED: "k.revoked_at IS NULL AND k.expires_at <= now()"
        case .REVOKED: "k.revoked_at IS NOT NULL"
        }
    }

    func list(organizationId: UUID, filters: APIKeyFilters, page: PageRequest) async throws -> ([APIKeyRecord], Int) {
        let condition = Self.condition(filters.status)
        let pattern = filters.searchPattern
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.selection), count(*) OVER () AS total \(unescaped: Self.source)
            WHERE k.organization_id = \(organizationId) AND (\(unescaped: condition))
              AND (\(pattern)::text IS NULL OR k.name ILIKE \(pattern))
            ORDER BY (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())) DESC, k.created_at DESC, k.id DESC
            LIMIT \(page.pageSize) OFFSET \(page.offset)
            """,
            logger: logger
        )
        var total = 0
        var records: [APIKeyRecord] = []
        for row in try await rows.collect() {
            records.append(try Self.record(row))
            total = try row.makeRandomAccess()["total"].decode(Int.self)
        }
        if records.isEmpty, page.offset > 0 {
            // Past the last page: the count still answers.
            total = try await client.query(
                """
                SELECT count(*) FROM api_keys k WHERE k.organization_id = \(organizationId) AND (\(unescaped: condition))
                  AND (\(pattern)::text IS NULL OR k.name ILIKE \(pattern))
                """,
                logger: logger
            ).collect().first?.decode(Int.self) ?? 0
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
                UPDATE api_keys SET revoked_at = now(), revocation_reason = 'REVOKED'
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
            SELECT k.id, k.organization_id, k.scopes, k.created_at, k.expires_at, o.plan, o.rate_per_second, o.rate_per_minute
            FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE k.digest = \(digest) AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            """,
            logger: logger
        )
        for try await (id, organizationId, scopes, createdAt, expiresAt, plan, perSecond, perMinute) in rows.decode((UUID, UUID, [String], Date, Date?, String, Int?, Int?).self) {
            // The column's CHECK allows only the four plans; anything else is refused, not guessed.
            guard let plan = Plan(rawValue: plan) else { throw StoredValueError(column: "plan", value: plan, type: "Plan") }
            let limits = plan.standardLimits.map { RateLimits(plan: plan, perSecond: $0.perSecond, perMinute: $0.perMinute) }
                ?? RateLimits(plan: plan, perSecond: perSecond, perMinute: perMinute)
            return ActiveKey(id: id, organizationId: organizationId, scopes: scopes, createdAt: createdAt, expiresAt: expiresAt, rateLimits: limits)
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

    func revocations(after sequence: Int64, limit: Int) async throws -> (events: [RevocationPage.Event], latest: Int64) {
        let rows = try await client.query(
            """
            SELECT sequence, api_key_id, kind, (SELECT coalesce(max(sequence), 0) FROM revocations) AS latest
            FROM (SELECT 1) AS one LEFT JOIN LATERAL (
                SELECT sequence, api_key_id, kind FROM revocations WHERE sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
            ) AS r ON true
            """,
            logger: logger
        )
        var events: [RevocationPage.Event] = []
        var latest: Int64 = 0
        for try await (eventSequence, keyId, kind, newest) in rows.decode((Int64?, UUID?, String?, Int64).self) {
            latest = newest
            if let eventSequence, let keyId {
                guard let parsed = RevocationPage.Event.Kind(rawValue: kind ?? "REVOKED") else {
                    throw StoredValueError(column: "kind", value: kind ?? "", type: "RevocationPage.Event.Kind")
                }
                events.append(.init(sequence: eventSequence, keyId: keyId, kind: parsed))
            }
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
        try await rows.collect().map(record)
    }

    static func record(_ row: PostgresRow) throws -> APIKeyRecord {
        let r = row.makeRandomAccess()
        return APIKeyRecord(
            id: try r["id"].decode(UUID.self), organizationId: try r["organization_id"].decode(UUID.self), name: try r["name"].decode(String.self),
            prefix: try r["prefix"].decode(String.self), scopes: try r["scopes"].decode([String].self), createdAt: try r["created_at"].decode(Date.self),
            createdBy: try r["email"].decode(String?.self), lastUsedAt: try r["last_used_at"].decode(Date?.self),
            revokedAt: try r["revoked_at"].decode(Date?.self), expiresAt: try r["expires_at"].decode(Date?.self),
            rolledTo: try r["rolled_to"].decode(UUID?.self), rolledFrom: try r["rolled_from"].decode(UUID?.self),
            revocationReason: try r["revocation_reason"].decode(String?.self), leakURL: try r["leak_url"].decode(String?.self)
        )
    }

    /// Stores a new key (a creation, or a roll's successor) and returns its record.
    static func insert(
        _ connection: PostgresConnection, token: APIKeyToken, organizationId: UUID, name: String, scopes: [String], rolledFrom: UUID?,
        actor: ConsoleUser, logger: Logger
    ) async throws -> APIKeyRecord {
        let id = UUID()
        let createdAt = try await connection.query(
            """
            INSERT INTO api_keys (id, organization_id, name, prefix, digest, scopes, created_by, rolled_from)
            VALUES (\(id), \(organizationId), \(name), \(token.displayPrefix), \(token.digest), \(scopes), \(actor.id), \(rolledFrom))
            RETURNING created_at
            """,
            logger: logger
        ).collect().first?.decode(Date.self) ?? Date()
        return APIKeyRecord(
            id: id, organizationId: organizationId, name: name, prefix: token.displayPrefix, scopes: scopes, createdAt: createdAt,
            createdBy: actor.email, lastUsedAt: nil, revokedAt: nil, rolledFrom: rolledFrom
        )
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
