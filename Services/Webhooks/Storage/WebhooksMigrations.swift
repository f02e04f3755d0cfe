import Shared

/// The webhooks service's schema, in order. Never edit an applied migration; add the next one.
enum WebhooksMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "endpoints and their secrets, events, messages and delivery attempts",
            statements: [
                // An organization's endpoint. Its signing secrets are in webhook_secrets: the
                // current one and, after a roll, the old one until it expires.
                """
                CREATE TABLE webhook_endpoints (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    url TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    event_types TEXT[] NOT NULL DEFAULT '{}',
                    status TEXT NOT NULL DEFAULT 'ENABLED' CHECK (status IN ('ENABLED', 'DISABLED')),
                    disabled_reason TEXT CHECK (disabled_reason IN ('GONE', 'FAILING', 'MANUAL')),
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    deleted_at TIMESTAMPTZ,
                    CHECK ((status = 'DISABLED') = (disabled_reason IS NOT NULL))
                )
                """,
                "CREATE INDEX webhook_endpoints_organization_idx ON webhook_endpoints (organization_id, created_at DESC, id)",
                // Secrets are read back to sign, so they are sealed (AES-GCM) like TOTP secrets.
                """
                CREATE TABLE webhook_secrets (
                    id UUID PRIMARY KEY,
                    endpoint_id UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                    sealed BYTEA NOT NULL,
                    prefix TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    expires_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX webhook_secrets_endpoint_idx ON webhook_secrets (endpoint_id)",
                // An event as a producer handed it over: its id is taken once.
                """
                CREATE TABLE webhook_events (
                    id TEXT PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                // One message per event and subscribed endpoint, with its next attempt.
                """
                CREATE TABLE webhook_messages (
                    id UUID PRIMARY KEY,
                    event_id TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
                    endpoint_id UUID NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
                    status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
                    attempts INT NOT NULL DEFAULT 0,
                    next_attempt_at TIMESTAMPTZ,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    UNIQUE (event_id, endpoint_id)
                )
                """,
                "CREATE INDEX webhook_messages_due_idx ON webhook_messages (next_attempt_at) WHERE status = 'PENDING'",
                "CREATE INDEX webhook_messages_endpoint_idx ON webhook_messages (endpoint_id, created_at DESC, id)",
                """
                CREATE TABLE webhook_attempts (
                    id BIGSERIAL PRIMARY KEY,
                    message_id UUID NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
                    attempted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    response_status INT,
                    duration_ms INT NOT NULL,
                    error TEXT,
                    response_excerpt TEXT CHECK (octet_length(response_excerpt) <= 1024)
                )
                """,
                "CREATE INDEX webhook_attempts_message_idx ON webhook_attempts (message_id, attempted_at)",
            ]
        ),
        Migration(
            version: 2,
            name: "endpoints' failures, and the delivery queue's fair claims",
            statements: [
                "ALTER TABLE webhook_endpoints ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now()",
                // Since when every attempt to the endpoint has failed (NULL after a success):
                // past WEBHOOK_DISABLE_AFTER the endpoint is disabled as FAILING.
                "ALTER TABLE webhook_endpoints ADD COLUMN failing_since TIMESTAMPTZ",
                // Messages are claimed per organization in turn, and per endpoint up to its
                // lane's room (docs/design/webhooks.md, "Isolation").
                "ALTER TABLE webhook_messages ADD COLUMN organization_id UUID NOT NULL",
                // How many retries of the schedule were used; a manual retry sets it to the end.
                "ALTER TABLE webhook_messages ADD COLUMN schedule_step INT NOT NULL DEFAULT 0",
                "ALTER TABLE webhook_messages ADD COLUMN last_attempt_at TIMESTAMPTZ",
                "ALTER TABLE webhook_messages ADD CHECK ((status = 'PENDING') = (next_attempt_at IS NOT NULL))",
                "DROP INDEX webhook_messages_due_idx",
                "CREATE INDEX webhook_messages_due_idx ON webhook_messages (endpoint_id, next_attempt_at) WHERE status = 'PENDING'",
                "CREATE INDEX webhook_messages_created_idx ON webhook_messages (created_at)",
                "CREATE INDEX webhook_events_received_idx ON webhook_events (received_at)",
            ]
        ),
        IdempotencyStore.migration(version: 3),
    ]
}
