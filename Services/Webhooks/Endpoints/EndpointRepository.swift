import Foundation
import Logging
import PostgresNIO
import Shared

/// Webhook endpoints and their signing secrets in PostgreSQL; every statement names the
/// organization. A secret is stored sealed (`SecretBox`, the secret row's id authenticated with
/// it) because every attempt must sign with it, and shown in clear only once.
struct EndpointRepository: Sendable {
    let client: PostgresClient
    let box: SecretBox
    let logger: Logger

    /// The columns of `WebhookEndpoint`, the newest secret's prefix last.
    static let columns = """
        e.id, e.url, e.description, e.event_types, e.status, e.disabled_reason, e.created_at, e.updated_at,
        (SELECT s.prefix FROM webhook_secrets s WHERE s.endpoint_id = e.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1)
        """

    static func endpoint(_ row: PostgresRow) throws -> WebhookEndpoint {
        let cells = row.makeRandomAccess()
        return WebhookEndpoint(
            id: try cells[0].decode(UUID.self), url: try cells[1].decode(String.self),
            description: try cells[2].decode(String.self).nilIfEmpty, eventTypes: try cells[3].decode([String].self),
            status: try cells[4].decodeEnum(WebhookEndpoint.Status.self),
            disabledReason: try cells[5].decodeEnum(WebhookEndpoint.DisabledReason?.self), createdAt: try cells[6].decode(Date.self),
            updatedAt: try cells[7].decode(Date.self), secretPrefix: try cells[8].decode(String?.self) ?? "")
    }

    /// Stores a new endpoint with a new secret; returns the secret, to be shown once.
    func create(_ endpoint: WebhookEndpoint, organizationId: UUID) async throws -> WebhookSecret {
        let secret = WebhookSecret.generate()
        try await client.transaction(logger: logger) { connection in
            try await connection.query(
                """
                INSERT INTO webhook_endpoints (id, organization_id, url, description, event_types, status, disabled_reason, created_at, updated_at)
                VALUES (\(endpoint.id), \(organizationId), \(endpoint.url), \(endpoint.description ?? ""), \(endpoint.eventTypes),
                    \(endpoint.status.rawValue), \(endpoint.disabledReason?.rawValue), \(endpoint.createdAt), \(endpoint.updatedAt))
                """,
                logger: logger
            )
            try await insert(secret, endpointId: endpoint.id, on: connection)
        }
        return secret
    }

    private func insert(_ secret: WebhookSecret, endpointId: UUID, on connection: PostgresConnection) async throws {
        let id = UUID()
        let sealed = try box.seal(secret.bytes, for: id)
        try await connection.query(
            """
            INSERT INTO webhook_secrets (id, endpoint_id, sealed, prefix, created_at)
            VALUES (\(id), \(endpointId), \(sealed), \(secret.displayPrefix), clock_timestamp())
            """,
            logger: logger
        )
    }

    /// One endpoint of the organization (not deleted), or nil.
    func find(id: UUID, organizationId: UUID) async throws -> WebhookEndpoint? {
        let rows = try await client.run(
            """
            SELECT \(unescaped: Self.columns) FROM webhook_endpoints e
            WHERE e.id = \(id) AND e.organization_id = \(organizationId) AND e.deleted_at IS NULL
            """,
            logger: logger
        )
        for try await row in rows { return try Self.endpoint(row) }
        return nil
    }

    /// A page of the organization's endpoints, newest first.
    func list(organizationId: UUID, page: PageRequest) async throws -> ([WebhookEndpoint], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM webhook_endpoints e
                    WHERE e.organization_id = \(organizationId) AND e.deleted_at IS NULL
                    ORDER BY e.created_at DESC, e.id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.endpoint)
    }

    /// Applies `change` under the row's lock and stores the result; nil if there is no such endpoint.
    /// Enabling an endpoint again forgets its failures, so five more days must pass before it is
    /// disabled as failing.
    func update(id: UUID, organizationId: UUID, _ change: @Sendable (WebhookEndpoint) throws -> WebhookEndpoint) async throws -> WebhookEndpoint? {
        try await client.updateLocked(
            logger: logger,
            read: { connection in
                let rows = try await connection.query(
                    """
                    SELECT \(unescaped: Self.columns) FROM webhook_endpoints e
                    WHERE e.id = \(id) AND e.organization_id = \(organizationId) AND e.deleted_at IS NULL FOR UPDATE
                    """,
                    logger: logger
                )
                for try await row in rows { return try Self.endpoint(row) }
                return nil
            },
            change: change,
            write: { connection, endpoint in
                try await connection.query(
                    """
                    UPDATE webhook_endpoints SET url = \(endpoint.url), description = \(endpoint.description ?? ""),
                        event_types = \(endpoint.eventTypes), status = \(endpoint.status.rawValue),
                        disabled_reason = \(endpoint.disabledReason?.rawValue), updated_at = \(endpoint.updatedAt),
                        failing_since = CASE WHEN status = 'DISABLED' AND \(endpoint.status.rawValue) = 'ENABLED' THEN NULL ELSE failing_since END
                    WHERE id = \(id)
                    """,
                    logger: logger
                )
            })
    }

    /// Deletes an endpoint: nothing more is sent to it, and it is gone from every answer. Its
    /// messages stay for the retention period, then go with the rest. False if there was none.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run(
            """
            UPDATE webhook_endpoints SET deleted_at = now()
            WHERE id = \(id) AND organization_id = \(organizationId) AND deleted_at IS NULL RETURNING id
            """,
            logger: logger
        )
        for try await _ in rows { return true }
        return false
    }

    /// A new secret for the endpoint; every older secret still live expires `expiresIn` from now
    /// (at once when zero), and signs until then. Nil if there is no such endpoint.
    func rollSecret(id: UUID, organizationId: UUID, expiresIn: Int) async throws -> (WebhookEndpoint, WebhookSecret)? {
        let secret = WebhookSecret.generate()
        let found: Bool = try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id FROM webhook_endpoints
                WHERE id = \(id) AND organization_id = \(organizationId) AND deleted_at IS NULL FOR UPDATE
                """,
                logger: logger
            )
            guard try await rows.collect().first != nil else { return false }
            try await connection.query(
                """
                UPDATE webhook_secrets SET expires_at = least(coalesce(expires_at, 'infinity'), now() + make_interval(secs => \(expiresIn)))
                WHERE endpoint_id = \(id) AND (expires_at IS NULL OR expires_at > now())
                """,
                logger: logger
            )
            try await insert(secret, endpointId: id, on: connection)
            return true
        }
        guard found, let endpoint = try await find(id: id, organizationId: organizationId) else { return nil }
        return (endpoint, secret)
    }

    /// The secrets that sign messages to each of `endpointIds` now, newest first.
    func liveSecrets(endpointIds: [UUID]) async throws -> [UUID: [WebhookSecret]] {
        let rows = try await client.run(
            """
            SELECT id, endpoint_id, sealed FROM webhook_secrets
            WHERE endpoint_id = ANY(\(endpointIds)) AND (expires_at IS NULL OR expires_at > now())
            ORDER BY created_at DESC, id DESC
            """,
            logger: logger
        )
        var secrets: [UUID: [WebhookSecret]] = [:]
        for try await (id, endpoint, sealed) in rows.decode((UUID, UUID, Data).self) {
            secrets[endpoint, default: []].append(WebhookSecret(bytes: try box.open(sealed, for: id)))
        }
        return secrets
    }
}

extension String {
    /// nil for the empty string (a description column stores none as '').
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
