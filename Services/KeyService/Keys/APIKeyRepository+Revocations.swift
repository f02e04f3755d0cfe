import Foundation
import Logging
import PostgresNIO
import Shared

/// Revoking keys (one, all of an organization, a leaked one) and the revocation log that every
/// resource service follows. Each writer inserts into the log last, after its row locks: the
/// log's trigger then holds its lock only until the commit (key-service migration 5).
extension APIKeyRepository {
    /// Revokes every active or expiring key of the organization at once (incident response),
    /// recording `api_key.revoked` for each; returns how many.
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

    /// Revokes the key with this digest as leaked, if it could still be used (true) and records
    /// `key.leaked` with the reporter and the URL; false for an unknown, revoked or expired key.
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
            try await AuditTrail.record(
                connection, organizationId: organizationId, actor: nil, action: "key.leaked", keyId: id,
                details: ["name": name, "reporter": reporter, "url": url ?? ""], logger: logger
            )
            try await connection.query("INSERT INTO revocations (api_key_id) VALUES (\(id))", logger: logger)
            return true
        }
    }

    /// The answer already given to the report whose body has this digest.
    func leakReportAnswer(bodyDigest: Data) async throws -> String? {
        try await client.query("SELECT answer FROM leak_reports WHERE body_digest = \(bodyDigest)", logger: logger)
            .collect().first?.decode(String.self)
    }

    /// Keeps the answer given to a report, for its repeats.
    func recordLeakReport(bodyDigest: Data, reporter: String, answer: String) async throws {
        try await client.query(
            """
            INSERT INTO leak_reports (body_digest, reporter, answer) VALUES (\(bodyDigest), \(reporter), \(answer))
            ON CONFLICT (body_digest) DO NOTHING
            """,
            logger: logger
        )
    }

    /// Revokes the key once (later calls change nothing); nil if the organization has no such key.
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
                try await AuditTrail.record(
                    connection, organizationId: organizationId, actor: actor.id, action: "api_key.revoked", keyId: id,
                    details: ["name": name], logger: logger
                )
                // Last, after the row lock: its trigger holds the log's lock until the commit.
                try await connection.query("INSERT INTO revocations (api_key_id) VALUES (\(id))", logger: logger)
            }
            return try await Self.find(connection, id: id, organizationId: organizationId, logger: logger)
        }
    }

    /// Log entries after `sequence`, in order (at most `limit`), and the newest sequence of all.
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

    /// Calls `newest` with each revocation's sequence as its transaction commits, by whichever
    /// replica; returns only when the subscription breaks (throwing) or the task is cancelled.
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
}
