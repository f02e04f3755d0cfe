import Foundation
import Logging
import PostgresNIO
import Shared

/// API keys and their audit trail in PostgreSQL, always within one organization: every
/// statement binds its values and names the organization.
struct APIKeyRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    static let selection = """
        k.id, k.organization_id, k.name, k.prefix, k.scopes, k.created_at, u.email, k.last_used_at, k.revoked_at,
        k.expires_at, k.rolled_to, k.rolled_from, k.revocation_reason, k.leak_url
        """
    static let source = "FROM api_keys k LEFT JOIN console_users u ON u.id = k.created_by"
    static let columns = selection + "\n" + source

    /// Stores a new key's digest and records `api_key.created`; returns the record.
    func create(token: APIKeyToken, organizationId: UUID, name: String, scopes: [Scope], actor: ConsoleUser) async throws -> APIKeyRecord {
        let scopeNames = scopes.map(\.rawValue)
        return try await client.transaction(logger: logger) { connection in
            let record = try await Self.insert(
                connection, token: token, organizationId: organizationId, name: name, scopes: scopeNames, rolledFrom: nil, actor: actor,
                logger: logger)
            try await AuditTrail.record(
                connection, organizationId: organizationId, actor: actor.id, action: "api_key.created", keyId: record.id,
                details: ["name": name, "scopes": scopeNames.joined(separator: " ")], logger: logger
            )
            return record
        }
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

    /// One page of the organization's keys that pass `filters`, usable ones (active and
    /// expiring) first, newest first within each, and their total count.
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
            total =
                try await client.query(
                    """
                    SELECT count(*) FROM api_keys k WHERE k.organization_id = \(organizationId) AND (\(unescaped: condition))
                      AND (\(pattern)::text IS NULL OR k.name ILIKE \(pattern))
                    """,
                    logger: logger
                ).collect().first?.decode(Int.self) ?? 0
        }
        return (records, total)
    }

    /// The organization's key `id`, if it has one.
    func find(id: UUID, organizationId: UUID) async throws -> APIKeyRecord? {
        try await Self.find(client, id: id, organizationId: organizationId, logger: logger)
    }

    /// Who created the organization's key `id`: `.some(nil)` for a key without a creator, nil
    /// when the organization has no such key.
    func creator(of id: UUID, organizationId: UUID) async throws -> UUID?? {
        let rows = try await client.query(
            "SELECT created_by FROM api_keys WHERE id = \(id) AND organization_id = \(organizationId)", logger: logger)
        for try await creator in rows.decode(UUID?.self) { return .some(creator) }
        return nil
    }

    /// Renames the key and records `api_key.renamed`; nil if the organization has no such key.
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
                try await AuditTrail.record(
                    connection, organizationId: organizationId, actor: actor.id, action: "api_key.renamed", keyId: id,
                    details: ["from": oldName, "to": name], logger: logger
                )
            }
            return try await Self.find(connection, id: id, organizationId: organizationId, logger: logger)
        }
    }

    /// Introspection's lookup, as a named prepared statement (parsed and planned once per
    /// connection: every cache miss of every service runs it).
    struct ActiveByDigest: PostgresPreparedStatement {
        static let sql = """
            SELECT k.id, k.organization_id, k.scopes, k.created_at, k.expires_at, o.plan, o.rate_per_second, o.rate_per_minute
            FROM api_keys k JOIN organizations o ON o.id = k.organization_id
            WHERE k.digest = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
            """
        typealias Row = (UUID, UUID, [String], Date, Date?, String, Int?, Int?)
        let digest: Data

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            try bindings.append(digest)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// The active key with this SHA-256 digest: not revoked, and not past its expiry.
    func findActive(digest: Data) async throws -> ActiveKey? {
        let rows = try await client.execute(ActiveByDigest(digest: digest), logger: logger)
        for try await (id, organizationId, scopes, createdAt, expiresAt, plan, perSecond, perMinute) in rows {
            // The column's CHECK allows only the four plans; anything else is refused, not guessed.
            guard let plan = Plan(rawValue: plan) else { throw StoredValueError(column: "plan", value: plan, type: "Plan") }
            let limits =
                plan.standardLimits.map { RateLimits(plan: plan, perSecond: $0.perSecond, perMinute: $0.perMinute) }
                ?? RateLimits(plan: plan, perSecond: perSecond, perMinute: perMinute)
            return ActiveKey(id: id, organizationId: organizationId, scopes: scopes, createdAt: createdAt, expiresAt: expiresAt, rateLimits: limits)
        }
        return nil
    }

    /// Writes the last-use times gathered since the previous call, in one statement.
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
            prefix: try r["prefix"].decode(String.self), scopes: try r["scopes"].decode([String].self),
            createdAt: try r["created_at"].decode(Date.self),
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
        let createdAt =
            try await connection.query(
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
}
