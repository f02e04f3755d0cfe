import Crypto
import Foundation
import Logging
import PostgresNIO

/// The answers of `POST` requests sent with an `Idempotency-Key` (docs/api-guide.md, "Safe retries"), kept in the
/// service's own database beside the work they describe, by organization and key.
///
/// A request claims its key, does its work and keeps its answer in one transaction
/// (`IdempotencyStore.run`). The claim takes a transaction-level advisory lock on the key,
/// without waiting, and reads the key's kept answer: a second request with the key finds that
/// answer (a replay, or 422 for another request), or, while the first runs, the lock taken
/// (409); after a rollback (a 5xx, a crash) it finds neither, and runs the work itself. A claim
/// without an answer, written by an earlier version that committed the claim apart, can be
/// taken over by the same request once it is older than `takeover`.
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
        /// The key is this request's: do the work, then `keep` its answer, in the same transaction.
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

    /// Claims `key` for the request with `fingerprint` in the transaction on `connection`, or
    /// says what holds it, in one statement: the key's advisory lock, taken without waiting and
    /// held until that transaction ends, and the key's kept answer. A kept answer is a replay
    /// (or 422 for another request) whoever holds the lock; without one, the lock decides: held
    /// by another request, 409; taken, the key is this request's (nothing is written yet: `keep`
    /// writes the key with its answer).
    public func claim(on connection: PostgresConnection, organizationId: UUID, key: String, fingerprint: [UInt8]) async throws -> Claim {
        let retentionSeconds = Double(retention.nanosecondsCount) / 1e9
        let takeoverSeconds = Double(takeover.nanosecondsCount) / 1e9
        let rows = try await connection.query(
            """
            SELECT pg_try_advisory_xact_lock(hashtextextended(\(organizationId.uuidString) || ' ' || \(key), 7401)),
                k.fingerprint, k.completed_at IS NOT NULL, k.status, k.content_type, k.location, k.body,
                k.created_at < now() - make_interval(secs => \(retentionSeconds)),
                k.claimed_at < now() - make_interval(secs => \(takeoverSeconds))
            FROM (SELECT 1) AS one LEFT JOIN idempotency_keys k ON k.organization_id = \(organizationId) AND k.key = \(key)
            """,
            logger: logger
        )
        for try await (taken, stored, completed, status, contentType, location, body, expired, abandoned) in rows.decode(
            (Bool, ByteBuffer?, Bool?, Int?, String?, String?, ByteBuffer?, Bool?, Bool?).self)
        {
            guard let stored, expired == false else { return taken ? .claimed : .inUse }
            guard Array(buffer: stored) == fingerprint else { return .reused }
            if completed == true, let status {
                return .replay(Answer(status: status, contentType: contentType, location: location, body: body.map { Array(buffer: $0) } ?? []))
            }
            // A claim without an answer, from a version that committed claims apart: this same
            // request's, abandoned once older than `takeover`.
            return taken && abandoned == true ? .claimed : .inUse
        }
        return .inUse
    }

    /// Writes the key with the answer to its request, in the transaction that claimed it (over
    /// an expired answer or an abandoned claim, when there was one).
    public func keep(on connection: PostgresConnection, organizationId: UUID, key: String, fingerprint: [UInt8], answer: Answer) async throws {
        try await connection.query(
            """
            INSERT INTO idempotency_keys AS k (organization_id, key, fingerprint, created_at, claimed_at, completed_at, status, content_type, location, body)
            VALUES (\(organizationId), \(key), \(ByteBuffer(bytes: fingerprint)), now(), now(), now(), \(answer.status), \(answer.contentType),
                \(answer.location), \(ByteBuffer(bytes: answer.body)))
            ON CONFLICT (organization_id, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, created_at = now(), claimed_at = now(), completed_at = now(), status = EXCLUDED.status,
                content_type = EXCLUDED.content_type, location = EXCLUDED.location, body = EXCLUDED.body
            """,
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
