import Foundation
import Logging
import PostgresNIO
import Shared

/// Rolling keys and recording their expiry (docs/api-guide.md, "Rotating a key").
extension APIKeyRepository {
    /// Rolls the key: a successor `token` with the same name and scopes, the old key expiring
    /// `expiresIn` from now; records `key.rolled`. Nil if the organization has no such key;
    /// throws 409 `KEY_NOT_ROLLABLE` for a revoked, expired or already rolled one.
    func roll(id: UUID, organizationId: UUID, expiresIn: Duration, token: APIKeyToken, actor: ConsoleUser) async throws -> (
        old: APIKeyRecord, new: APIKeyRecord
    )? {
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
            let successor = try await Self.insert(
                connection, token: token, organizationId: organizationId, name: name, scopes: scopes, rolledFrom: id, actor: actor, logger: logger)
            let expiry = try await connection.query(
                """
                UPDATE api_keys SET expires_at = date_trunc('second', now()) + make_interval(secs => \(seconds)), rolled_to = \(successor.id)
                WHERE id = \(id) RETURNING expires_at
                """,
                logger: logger
            ).collect().first?.decode(Date.self)
            try await AuditTrail.record(
                connection, organizationId: organizationId, actor: actor.id, action: "key.rolled", keyId: id,
                details: [
                    "from": id.apiString, "to": successor.id.apiString, "expiresAt": expiry.map { ISO8601DateFormatter().string(from: $0) } ?? "",
                ], logger: logger
            )
            // Last, after the row lock: every resource service drops the answers it cached
            // before the roll, which did not carry the expiry.
            try await connection.query("INSERT INTO revocations (api_key_id, kind) VALUES (\(id), 'CHANGED')", logger: logger)
            guard let old = try await Self.find(connection, id: id, organizationId: organizationId, logger: logger) else { return nil }
            return (old, successor)
        }
    }

    /// Records `key.expired` once for every rolled key whose expiry has passed; returns how many.
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
}
