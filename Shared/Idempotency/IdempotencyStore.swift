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
        let statement = ClaimStatement(
            organizationId: organizationId, key: key, retentionSeconds: Double(retention.nanosecondsCount) / 1e9,
            takeoverSeconds: Double(takeover.nanosecondsCount) / 1e9)
        for try await row in try await connection.execute(statement, logger: logger) {
            guard let stored = row.fingerprint, row.expired == false else { return row.taken ? .claimed : .inUse }
            guard Array(buffer: stored) == fingerprint else { return .reused }
            if row.completed == true, let status = row.status {
                return .replay(
                    Answer(status: status, contentType: row.contentType, location: row.location, body: row.body.map { Array(buffer: $0) } ?? []))
            }
            // A claim without an answer, from a version that committed claims apart: this same
            // request's, abandoned once older than `takeover`.
            return row.taken && row.abandoned == true ? .claimed : .inUse
        }
        return .inUse
    }

    /// Writes the key with the answer to its request, in the transaction that claimed it (over
    /// an expired answer or an abandoned claim, when there was one).
    public func keep(on connection: PostgresConnection, organizationId: UUID, key: String, fingerprint: [UInt8], answer: Answer) async throws {
        let statement = KeepStatement(organizationId: organizationId, key: key, fingerprint: fingerprint, answer: answer)
        for try await _ in try await connection.execute(statement, logger: logger) {}
    }

    /// The claim, prepared once per connection (it runs on every idempotent POST).
    struct ClaimStatement: PostgresPreparedStatement {
        static let sql = """
            SELECT pg_try_advisory_xact_lock(hashtextextended($1::text || ' ' || $2::text, 7401)),
                k.fingerprint, k.completed_at IS NOT NULL, k.status, k.content_type, k.location, k.body,
                k.created_at < now() - make_interval(secs => $3::float8), k.claimed_at < now() - make_interval(secs => $4::float8)
            FROM (SELECT 1) AS one LEFT JOIN idempotency_keys k ON k.organization_id = $5::uuid AND k.key = $2::text
            """

        struct Row {
            let taken: Bool
            let fingerprint: ByteBuffer?
            let completed: Bool?
            let status: Int?
            let contentType: String?
            let location: String?
            let body: ByteBuffer?
            let expired: Bool?
            let abandoned: Bool?
        }

        let organizationId: UUID
        let key: String
        let retentionSeconds: Double
        let takeoverSeconds: Double

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(organizationId.uuidString)
            bindings.append(key)
            bindings.append(retentionSeconds)
            bindings.append(takeoverSeconds)
            bindings.append(organizationId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (taken, fingerprint, completed, status, contentType, location, body, expired, abandoned) = try row.decode(
                (Bool, ByteBuffer?, Bool?, Int?, String?, String?, ByteBuffer?, Bool?, Bool?).self)
            return Row(
                taken: taken, fingerprint: fingerprint, completed: completed, status: status, contentType: contentType, location: location,
                body: body, expired: expired, abandoned: abandoned)
        }
    }

    /// The key with its answer, prepared once per connection.
    struct KeepStatement: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO idempotency_keys AS k (organization_id, key, fingerprint, created_at, claimed_at, completed_at, status, content_type, location, body)
            VALUES ($1::uuid, $2::text, $3::bytea, now(), now(), now(), $4::int, $5::text, $6::text, $7::bytea)
            ON CONFLICT (organization_id, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, created_at = now(), claimed_at = now(), completed_at = now(), status = EXCLUDED.status,
                content_type = EXCLUDED.content_type, location = EXCLUDED.location, body = EXCLUDED.body
            """
        typealias Row = Void

        let organizationId: UUID
        let key: String
        let fingerprint: [UInt8]
        let answer: Answer

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(organizationId)
            bindings.append(key)
            bindings.append(ByteBuffer(bytes: fingerprint))
            bindings.append(answer.status)
            bindings.append(answer.contentType)
            bindings.append(answer.location)
            bindings.append(ByteBuffer(bytes: answer.body))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
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
