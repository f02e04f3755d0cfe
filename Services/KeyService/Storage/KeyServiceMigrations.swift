import Shared

/// The key service's schema, in order. Never edit an applied migration; add the next one.
enum KeyServiceMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "organizations, console users and sessions, API keys, audit events",
            statements: [
                """
                CREATE TABLE organizations (
                    id UUID PRIMARY KEY,
                    name TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                "CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name))",
                """
                CREATE TABLE console_users (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL REFERENCES organizations (id),
                    email TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                "CREATE UNIQUE INDEX console_users_email_key ON console_users (lower(email))",
                // A session is stored by the SHA-256 of its cookie value, like API keys.
                """
                CREATE TABLE console_sessions (
                    token_digest BYTEA PRIMARY KEY,
                    user_id UUID NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX console_sessions_expires_at_idx ON console_sessions (expires_at)",
                """
                CREATE TABLE api_keys (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL REFERENCES organizations (id),
                    name TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    digest BYTEA NOT NULL CHECK (octet_length(digest) = 32),
                    scopes TEXT[] NOT NULL CHECK (cardinality(scopes) > 0),
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    created_by UUID REFERENCES console_users (id),
                    last_used_at TIMESTAMPTZ,
                    revoked_at TIMESTAMPTZ
                )
                """,
                // Introspection looks keys up by digest only.
                "CREATE UNIQUE INDEX api_keys_digest_key ON api_keys (digest)",
                "CREATE INDEX api_keys_organization_created_idx ON api_keys (organization_id, created_at DESC, id DESC)",
                // The database itself refuses what the API forbids: changing a key's secret,
                // owner or scopes, and un-revoking it.
                """
                CREATE FUNCTION api_keys_guard_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.digest IS DISTINCT FROM OLD.digest
                        OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
                        OR NEW.scopes IS DISTINCT FROM OLD.scopes
                        OR NEW.created_at IS DISTINCT FROM OLD.created_at
                        OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at) THEN
                        RAISE EXCEPTION 'api key % is immutable apart from its name and last use', OLD.id;
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER api_keys_immutable BEFORE UPDATE ON api_keys
                FOR EACH ROW EXECUTE FUNCTION api_keys_guard_immutable()
                """,
                """
                CREATE TABLE audit_events (
                    id BIGSERIAL PRIMARY KEY,
                    organization_id UUID NOT NULL REFERENCES organizations (id),
                    actor_user_id UUID REFERENCES console_users (id),
                    action TEXT NOT NULL,
                    api_key_id UUID REFERENCES api_keys (id),
                    details JSONB NOT NULL DEFAULT '{}',
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX audit_events_organization_idx ON audit_events (organization_id, id DESC)",
            ]
        ),
        Migration(
            version: 2,
            name: "revocation log read by resource services to drop revoked keys from their caches",
            statements: [
                // Written in the revoking transaction; its increasing sequence lets a reader
                // resume exactly where it stopped.
                """
                CREATE TABLE revocations (
                    sequence BIGSERIAL PRIMARY KEY,
                    api_key_id UUID NOT NULL REFERENCES api_keys (id),
                    revoked_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """
            ]
        ),
        Migration(
            version: 3,
            name: "plans and rate limits: each organization's plan, and the ledger of leased request budgets",
            statements: [
                """
                ALTER TABLE organizations
                    ADD COLUMN plan TEXT NOT NULL DEFAULT 'STARTER' CHECK (plan IN ('STARTER', 'PRO', 'BUSINESS', 'ENTERPRISE')),
                    ADD COLUMN rate_per_second INT CHECK (rate_per_second > 0),
                    ADD COLUMN rate_per_minute INT CHECK (rate_per_minute > 0),
                    ADD CONSTRAINT organizations_custom_limits_enterprise_only
                        CHECK (plan = 'ENTERPRISE' OR (rate_per_second IS NULL AND rate_per_minute IS NULL))
                """,
                // How many requests of each key's fixed windows (1 s and 60 s, by their start in
                // UNIX seconds) were leased to resource services. UNLOGGED: fast, and a crash
                // only forgets the current minute's counts.
                """
                CREATE UNLOGGED TABLE rate_limit_usage (
                    api_key_id UUID NOT NULL,
                    window_seconds INT NOT NULL CHECK (window_seconds IN (1, 60)),
                    window_start BIGINT NOT NULL,
                    used INT NOT NULL CHECK (used >= 0),
                    PRIMARY KEY (api_key_id, window_seconds, window_start)
                )
                """,
                // One lease, atomically: grants what fits in both the second and its minute (at
                // most `p_want`), records it, and returns it with both windows' new totals. Rows
                // are locked second first, then minute, so concurrent leases cannot deadlock.
                """
                CREATE FUNCTION rate_limit_lease(p_key UUID, p_second BIGINT, p_want INT, p_per_second INT, p_per_minute INT)
                RETURNS TABLE (granted INT, second_used INT, minute_used INT) LANGUAGE plpgsql AS $$
                DECLARE
                    v_minute BIGINT := p_second - (p_second % 60);
                    v_second_used INT;
                    v_minute_used INT;
                    v_granted INT;
                BEGIN
                    INSERT INTO rate_limit_usage VALUES (p_key, 1, p_second, 0), (p_key, 60, v_minute, 0) ON CONFLICT DO NOTHING;
                    SELECT used INTO v_second_used FROM rate_limit_usage
                        WHERE api_key_id = p_key AND window_seconds = 1 AND window_start = p_second FOR UPDATE;
                    SELECT used INTO v_minute_used FROM rate_limit_usage
                        WHERE api_key_id = p_key AND window_seconds = 60 AND window_start = v_minute FOR UPDATE;
                    v_granted := GREATEST(0, LEAST(p_want, COALESCE(p_per_second - v_second_used, p_want), COALESCE(p_per_minute - v_minute_used, p_want)));
                    IF v_granted > 0 THEN
                        UPDATE rate_limit_usage SET used = used + v_granted
                        WHERE api_key_id = p_key
                          AND ((window_seconds = 1 AND window_start = p_second) OR (window_seconds = 60 AND window_start = v_minute));
                    END IF;
                    RETURN QUERY SELECT v_granted, v_second_used + v_granted, v_minute_used + v_granted;
                END
                $$
                """,
            ]
        ),
        Migration(
            version: 4,
            name: "CHECK constraint on the scopes a key holds",
            // A key holds only the fifteen scopes of docs/api-guide.md, "API keys" (plans already have their CHECK).
            statements: [
                "ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known_check CHECK (scopes <@ ARRAY['interviews:read', 'interviews:write', 'candidates:read', 'candidates:write', 'jobs:read', 'jobs:write', 'campaigns:read', 'campaigns:write', 'stages:read', 'stages:write', 'tests:read', 'tests:write', 'reports:read', 'agents:read', 'agents:write']::text[])"
            ]
        ),
        Migration(
            version: 5,
            name: "revocation sequences in commit order",
            // Readers of the revocation log take `sequence > cursor`. With sequences drawn when a
            // revoking transaction inserts, two concurrent revocations could commit out of order
            // (41 drawn first, 42 committed first) and a reader that saw 42 would skip 41 for
            // good. Each insert now takes a transaction-level advisory lock first and draws its
            // sequence under it; the lock is released only after the commit is visible, so a
            // visible sequence n means every lower one is committed or never will be. The
            // trigger does it for every writer, so no code path can forget. It also notifies
            // `revocations`, at commit, so every key-service replica learns of it at once.
            // Writers take the lock last, after their row locks, so it cannot deadlock with them.
            statements: [
                """
                CREATE FUNCTION revocations_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_advisory_xact_lock(7262017);
                    NEW.sequence := nextval('revocations_sequence_seq');
                    PERFORM pg_notify('revocations', NEW.sequence::text);
                    RETURN NEW;
                END
                $$
                """,
                "ALTER TABLE revocations ALTER COLUMN sequence DROP DEFAULT",
                """
                CREATE TRIGGER revocations_in_commit_order BEFORE INSERT ON revocations
                FOR EACH ROW EXECUTE FUNCTION revocations_in_commit_order()
                """,
            ]
        ),
        Migration(
            version: 6,
            name: "rolling keys: an expiry for the predecessor, links between the two, and changes on the feed",
            statements: [
                """
                ALTER TABLE api_keys
                    ADD COLUMN expires_at TIMESTAMPTZ,
                    ADD COLUMN rolled_to UUID REFERENCES api_keys (id),
                    ADD COLUMN rolled_from UUID REFERENCES api_keys (id),
                    ADD COLUMN expiry_recorded_at TIMESTAMPTZ
                """,
                // The expiry recorder's work list: keys whose expiry has no audit event yet.
                "CREATE INDEX api_keys_unrecorded_expiry_idx ON api_keys (expires_at) WHERE expiry_recorded_at IS NULL",
                // A key gets its expiry and its successor once (a roll), and never loses them.
                """
                CREATE OR REPLACE FUNCTION api_keys_guard_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.digest IS DISTINCT FROM OLD.digest
                        OR NEW.organization_id IS DISTINCT FROM OLD.organization_id
                        OR NEW.scopes IS DISTINCT FROM OLD.scopes
                        OR NEW.created_at IS DISTINCT FROM OLD.created_at
                        OR NEW.rolled_from IS DISTINCT FROM OLD.rolled_from
                        OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at)
                        OR (OLD.expires_at IS NOT NULL AND NEW.expires_at IS DISTINCT FROM OLD.expires_at)
                        OR (OLD.rolled_to IS NOT NULL AND NEW.rolled_to IS DISTINCT FROM OLD.rolled_to) THEN
                        RAISE EXCEPTION 'api key % is immutable apart from its name, last use, revocation and one roll', OLD.id;
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                // REVOKED: refused for good. CHANGED: still valid, but cached answers must be
                // dropped (a roll gave it an expiry that earlier answers did not carry).
                "ALTER TABLE revocations ADD COLUMN kind TEXT NOT NULL DEFAULT 'REVOKED' CHECK (kind IN ('REVOKED', 'CHANGED'))",
            ]
        ),
        Migration(
            version: 7,
            name: "why a key was revoked, and the leak reports already answered",
            statements: [
                """
                ALTER TABLE api_keys
                    ADD COLUMN revocation_reason TEXT CHECK (revocation_reason IN ('REVOKED', 'LEAKED', 'REVOKED_ALL')),
                    ADD COLUMN leak_url TEXT
                """,
                "UPDATE api_keys SET revocation_reason = 'REVOKED' WHERE revoked_at IS NOT NULL",
                // A secret scanner's report, by the SHA-256 of its exact body, with the answer it
                // got: the same report sent again gets the same answer and changes nothing.
                """
                CREATE TABLE leak_reports (
                    body_digest BYTEA PRIMARY KEY,
                    reporter TEXT NOT NULL,
                    answer TEXT NOT NULL,
                    received_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
            ]
        ),
        Migration(
            version: 8,
            name: "sign-in attempts, for throttling them across restarts and replicas",
            statements: [
                // One row per password check (docs/design/hostile-clients.md): who asked (the client address the
                // gateway saw), for which email (its SHA-256, lower-cased: guesses are not kept),
                // and whether it failed. A check in progress counts as failed until it succeeds.
                // Rows older than 15 minutes are deleted; they no longer count.
                """
                CREATE TABLE sign_in_attempts (
                    id BIGSERIAL PRIMARY KEY,
                    client_address TEXT NOT NULL,
                    email_digest BYTEA NOT NULL,
                    attempted_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                    failed BOOLEAN NOT NULL DEFAULT true
                )
                """,
                "CREATE INDEX sign_in_attempts_address_idx ON sign_in_attempts (client_address, attempted_at)",
            ]
        ),
        Migration(
            version: 9,
            name: "one fold of console emails, and expiries on whole seconds",
            statements: [
                // An email is matched, counted by the sign-in throttle and kept unique under one
                // fold, ASCII letters to lower case and nothing else (EmailAddress.fold, which
                // writes this column). PostgreSQL's lower() follows the database's locale and
                // folds more (U+0130 to "i" under C.UTF-8), which Swift's lowercased() does not.
                "ALTER TABLE console_users ADD COLUMN email_fold TEXT",
                "UPDATE console_users SET email_fold = translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')",
                "ALTER TABLE console_users ALTER COLUMN email_fold SET NOT NULL",
                "DROP INDEX console_users_email_key",
                // No existing row conflicts: two emails equal under this fold are equal under lower().
                "CREATE UNIQUE INDEX console_users_email_key ON console_users (email_fold)",
                // A listing shows expiresAt to the second: a key expires on a whole second, so
                // that it stops working at the instant shown. Moved earlier, never later.
                "UPDATE api_keys SET expires_at = date_trunc('second', expires_at) WHERE expires_at IS NOT NULL",
            ]
        ),
        Migration(
            version: 10,
            name: "a role for every console user: the ones there are the OWNERs of their organization",
            statements: [
                // The default fills the existing rows (each organization had one console user, its
                // admin) and is dropped at once: every later insert must say the role it gives.
                "ALTER TABLE console_users ADD COLUMN role TEXT NOT NULL DEFAULT 'OWNER' CHECK (role IN ('OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER'))",
                "ALTER TABLE console_users ALTER COLUMN role DROP DEFAULT",
            ]
        ),
        Migration(
            version: 11,
            name: "members: invitations, two-factor sign-in, recovery codes, sign-in challenges, and sessions one can list",
            statements: [
                // A TOTP secret is stored only encrypted (AES-GCM under TWO_FACTOR_ENCRYPTION_KEY,
                // docs/design/console-people.md): the enrolment in progress, and the confirmed one.
                // totp_last_step is the newest 30-second step a code was accepted for: no code is
                // accepted twice.
                """
                ALTER TABLE console_users
                    ADD COLUMN totp_pending BYTEA,
                    ADD COLUMN totp_secret BYTEA,
                    ADD COLUMN two_factor_enabled_at TIMESTAMPTZ,
                    ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN last_sign_in_at TIMESTAMPTZ,
                    ADD CONSTRAINT console_users_two_factor_whole CHECK ((totp_secret IS NULL) = (two_factor_enabled_at IS NULL))
                """,
                "ALTER TABLE organizations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT false",
                // Ten single-use codes per person, by SHA-256 (each has 80 random bits, like a key).
                """
                CREATE TABLE console_recovery_codes (
                    digest BYTEA PRIMARY KEY CHECK (octet_length(digest) = 32),
                    user_id UUID NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
                    used_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX console_recovery_codes_user_idx ON console_recovery_codes (user_id)",
                // The second step of a sign-in: a token by its digest, for five minutes and five wrong codes.
                """
                CREATE TABLE console_sign_in_challenges (
                    token_digest BYTEA PRIMARY KEY CHECK (octet_length(token_digest) = 32),
                    user_id UUID NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
                    client_address TEXT NOT NULL,
                    user_agent TEXT,
                    failures INT NOT NULL DEFAULT 0,
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                // Invitations, by the digest of their single-use token.
                """
                CREATE TABLE console_invitations (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL REFERENCES organizations (id),
                    email TEXT NOT NULL,
                    email_fold TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER')),
                    token_digest BYTEA NOT NULL UNIQUE CHECK (octet_length(token_digest) = 32),
                    invited_by UUID REFERENCES console_users (id) ON DELETE SET NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    expires_at TIMESTAMPTZ NOT NULL,
                    accepted_at TIMESTAMPTZ,
                    cancelled_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX console_invitations_organization_idx ON console_invitations (organization_id, created_at DESC)",
                // Sessions get an id one can name, and what a person needs to recognise them.
                "ALTER TABLE console_sessions ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid() UNIQUE",
                "ALTER TABLE console_sessions ADD COLUMN last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()",
                "ALTER TABLE console_sessions ADD COLUMN client_address TEXT",
                "ALTER TABLE console_sessions ADD COLUMN user_agent TEXT",
                "CREATE INDEX console_sessions_user_idx ON console_sessions (user_id)",
                // The audit trail names the member an event concerns; a removed member's row stays
                // (keys they created keep their createdBy), so removal is a mark, not a delete.
                "ALTER TABLE audit_events ADD COLUMN subject_user_id UUID REFERENCES console_users (id)",
                "ALTER TABLE console_users ADD COLUMN removed_at TIMESTAMPTZ",
                // An email is unique among the people who are members; a removed member's may join again.
                "DROP INDEX console_users_email_key",
                "CREATE UNIQUE INDEX console_users_email_key ON console_users (email_fold) WHERE removed_at IS NULL",
                "CREATE INDEX audit_events_action_idx ON audit_events (organization_id, action, id DESC)",
            ]
        ),
        Migration(
            version: 12,
            name: "the webhook scopes",
            // Two scopes join the fifteen for webhook endpoints (docs/api-guide.md, "Webhooks").
            statements: [
                "ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known_check",
                "ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known_check CHECK (scopes <@ ARRAY['interviews:read', 'interviews:write', 'candidates:read', 'candidates:write', 'jobs:read', 'jobs:write', 'campaigns:read', 'campaigns:write', 'stages:read', 'stages:write', 'tests:read', 'tests:write', 'reports:read', 'agents:read', 'agents:write', 'webhooks:read', 'webhooks:write']::text[])",
            ]
        ),
    ]
}
