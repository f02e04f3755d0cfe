import Crypto
import Foundation
import Logging
import PostgresNIO

/// The answers of `POST` requests sent with an `Idempotency-Key` (docs/api-guide.md, "Safe retries"), kept in the
/// service's own database beside the work they describe, by organization and key.
///
/// A request claims its key with one statement before any work; a second request with the key
/// then finds the claim (409 while it runs), the stored answer (a replay), or another request's
/// fingerprint (422). A claim whose request never finished (its process died) can be taken over
/// by the same request once it is older than `takeover`, longer than any request may run.
public struct IdempotencyStore: Sendable {
    let client: PostgresClient
    let retention: Duration
    let takeover: Duration
    let logger: Logger

    /// Answers kept `retention` (24 hours by default); claims taken over after `takeover`.
    public init(client: PostgresClient, retention: Duration = .seconds(86_400), takeover: Duration = .seconds(15), logger: Logger) {
        self.client = client
        self.retention = retention
        self.takeover = takeover
        self.logger = logger
    }

    /// The table, as the migration of `version` in each service that has `POST` routes.
    public static func migration(version: Int) -> Migration {
        Migration(
            version: version, name: "answers kept for Idempotency-Key retries",
            statements: [
                """
                CREATE TABLE idempotency_keys (
                    organization_id UUID NOT NULL,
                    key TEXT NOT NULL,
                    fingerprint BYTEA NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    claimed_at TIMESTAMPTZ NOT NULL,
                    completed_at TIMESTAMPTZ,
                    status INTEGER,
                    content_type TEXT,
                    location TEXT,
                    body BYTEA,
                    PRIMARY KEY (organization_id, key)
                )
                """,
                "CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)",
            ])
    }

    /// A stored answer: what a replay sends again.
    public struct Answer: Sendable, Equatable {
        public let status: Int
        public let contentType: String?
        public let location: String?
        public let body: [UInt8]
    }

    /// What a request found when it tried to claim its key.
    public enum Claim: Sendable, Equatable {
        /// The key is this request's: do the work, then `complete` or `release`.
        case claimed
        /// The same request was answered before: send this again.
        case replay(Answer)
        /// The same request is running now.
        case inUse
        /// The key was used for another method, path or body.
        case reused
    }

    /// The SHA-256 of what makes two requests the same one: method, URI and body. A JSON body
    /// counts by its content, keys sorted, so a client whose serializer orders keys differently
    /// on each try (Swift's dictionaries do) still retries the same request.
    public static func fingerprint(method: String, uri: String, body: [UInt8]) -> [UInt8] {
        var hash = SHA256()
        hash.update(data: Array("\(method) \(uri)\n".utf8))
        let data = Data(body)
        if let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            let canonical = try? JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .fragmentsAllowed])
        {
            hash.update(data: canonical)
        } else {
            hash.update(data: data)
        }
        return Array(hash.finalize())
    }

    /// Claims `key` for the request with `fingerprint`, or says what holds it.
    public func claim(organizationId: UUID, key: String, fingerprint: [UInt8]) async throws -> Claim {
        let retentionSeconds = Double(retention.nanosecondsCount) / 1e9
        let takeoverSeconds = Double(takeover.nanosecondsCount) / 1e9
        let digest = ByteBuffer(bytes: fingerprint)
        for _ in 0..<3 {
            // A new key, an expired one, or an abandoned claim of this same request is ours.
            let claimed = try await client.query(
                """
                INSERT INTO idempotency_keys AS k (organization_id, key, fingerprint, created_at, claimed_at)
                VALUES (\(organizationId), \(key), \(digest), now(), now())
                ON CONFLICT (organization_id, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, created_at = now(), claimed_at = now(), completed_at = NULL,
                    status = NULL, content_type = NULL, location = NULL, body = NULL
                WHERE k.created_at < now() - make_interval(secs => \(retentionSeconds))
                   OR (k.completed_at IS NULL AND k.fingerprint = EXCLUDED.fingerprint
                       AND k.claimed_at < now() - make_interval(secs => \(takeoverSeconds)))
                RETURNING 1
                """,
                logger: logger
            )
            if try await claimed.collect().count == 1 { return .claimed }
            let rows = try await client.query(
                """
                SELECT fingerprint, completed_at IS NOT NULL, status, content_type, location, body FROM idempotency_keys
                WHERE organization_id = \(organizationId) AND key = \(key)
                """,
                logger: logger
            )
            // Gone in between (released after a 5xx, or purged): claim again.
            guard let row = try await rows.collect().first else { continue }
            let (stored, completed, status, contentType, location, body) = try row.decode(
                (ByteBuffer, Bool, Int?, String?, String?, ByteBuffer?).self)
            guard Array(buffer: stored) == fingerprint else { return .reused }
            guard completed, let status else { return .inUse }
            return .replay(Answer(status: status, contentType: contentType, location: location, body: body.map { Array(buffer: $0) } ?? []))
        }
        return .inUse
    }

    /// Keeps the answer to the request that claimed `key`.
    public func complete(organizationId: UUID, key: String, answer: Answer) async throws {
        try await client.query(
            """
            UPDATE idempotency_keys SET completed_at = now(), status = \(answer.status), content_type = \(answer.contentType),
                location = \(answer.location), body = \(ByteBuffer(bytes: answer.body))
            WHERE organization_id = \(organizationId) AND key = \(key) AND completed_at IS NULL
            """,
            logger: logger
        )
    }

    /// Gives the key up (the answer was 500 or above, so a retry runs again).
    public func release(organizationId: UUID, key: String) async throws {
        try await client.query(
            "DELETE FROM idempotency_keys WHERE organization_id = \(organizationId) AND key = \(key) AND completed_at IS NULL",
            logger: logger
        )
    }

    /// Forgets the answers older than the retention; returns how many.
    @discardableResult
    public func purge() async throws -> Int {
        let seconds = Double(retention.nanosecondsCount) / 1e9
        let rows = try await client.query(
            "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => \(seconds)) RETURNING 1", logger: logger
        )
        return try await rows.collect().count
    }
}

extension Array where Element == UInt8 {
    init(buffer: ByteBuffer) {
        self = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
    }
}
