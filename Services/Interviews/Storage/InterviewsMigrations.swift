import Shared

/// The interviews service's schema, in order. Never edit an applied migration; add the next one.
enum InterviewsMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "agents, tests and assignments, interviews and their transcripts",
            statements: [
                """
                CREATE TABLE agents (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    name TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    voice TEXT,
                    tone TEXT NOT NULL,
                    language TEXT NOT NULL,
                    instructions TEXT,
                    suspicion_level INTEGER NOT NULL CHECK (suspicion_level BETWEEN 0 AND 3),
                    job_id UUID,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX agents_organization_id_key ON agents (organization_id, id)",
                "CREATE INDEX agents_list_idx ON agents (organization_id, created_at DESC, id DESC)",
                """
                CREATE TABLE tests (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    title TEXT NOT NULL,
                    description TEXT,
                    type TEXT,
                    difficulty TEXT,
                    duration_minutes INTEGER,
                    skills TEXT[] NOT NULL DEFAULT '{}',
                    passing_score INTEGER CHECK (passing_score BETWEEN 0 AND 100),
                    is_published BOOLEAN NOT NULL DEFAULT false,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX tests_organization_id_key ON tests (organization_id, id)",
                "CREATE INDEX tests_list_idx ON tests (organization_id, created_at DESC, id DESC)",
                "CREATE INDEX tests_filter_idx ON tests (organization_id, type, difficulty, is_published)",
                // One assignment of a test per candidate, enforced here so concurrent assigns make one.
                """
                CREATE TABLE assignments (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    test_id UUID NOT NULL,
                    candidate_id UUID NOT NULL,
                    stage_id UUID,
                    status TEXT NOT NULL,
                    score INTEGER CHECK (score BETWEEN 0 AND 100),
                    passed BOOLEAN,
                    invited_at TIMESTAMPTZ,
                    completed_at TIMESTAMPTZ,
                    created_at TIMESTAMPTZ NOT NULL,
                    CONSTRAINT assignments_test_fkey FOREIGN KEY (organization_id, test_id) REFERENCES tests (organization_id, id) ON DELETE CASCADE,
                    CONSTRAINT assignments_once_key UNIQUE (test_id, candidate_id)
                )
                """,
                "CREATE INDEX assignments_list_idx ON assignments (organization_id, test_id, created_at DESC, id DESC)",
                """
                CREATE TABLE interviews (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    candidate_id UUID NOT NULL,
                    job_id UUID NOT NULL,
                    campaign_id UUID,
                    stage_id UUID,
                    agent_id UUID,
                    status TEXT NOT NULL,
                    expires_at TIMESTAMPTZ NOT NULL,
                    invited_at TIMESTAMPTZ,
                    started_at TIMESTAMPTZ,
                    completed_at TIMESTAMPTZ,
                    cancelled_at TIMESTAMPTZ,
                    score INTEGER CHECK (score BETWEEN 0 AND 100),
                    recommendation TEXT,
                    summary TEXT,
                    strengths TEXT[],
                    weaknesses TEXT[],
                    criteria JSONB,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    CONSTRAINT interviews_agent_fkey FOREIGN KEY (organization_id, agent_id) REFERENCES agents (organization_id, id) ON DELETE SET NULL (agent_id)
                )
                """,
                "CREATE INDEX interviews_list_idx ON interviews (organization_id, created_at DESC, id DESC)",
                "CREATE INDEX interviews_status_idx ON interviews (organization_id, status, expires_at)",
                "CREATE INDEX interviews_job_idx ON interviews (organization_id, job_id)",
                "CREATE INDEX interviews_campaign_idx ON interviews (organization_id, campaign_id)",
                "CREATE INDEX interviews_candidate_idx ON interviews (organization_id, candidate_id)",
                """
                CREATE TABLE interview_turns (
                    interview_id UUID NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
                    sequence INTEGER NOT NULL,
                    role TEXT NOT NULL,
                    content TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    PRIMARY KEY (interview_id, sequence)
                )
                """,
            ]
        ),
        Migration(
            version: 2,
            name: "transactional outbox of completion events",
            statements: [
                // Written in the same transaction as the completion it announces; the relay
                // delivers in sequence order and marks each event delivered.
                """
                CREATE TABLE outbox_events (
                    sequence BIGSERIAL PRIMARY KEY,
                    id UUID NOT NULL UNIQUE,
                    payload JSONB NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    delivered_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX outbox_events_pending_idx ON outbox_events (sequence) WHERE delivered_at IS NULL",
            ]
        ),
        Migration(
            version: 3,
            name: "CHECK constraints on every enum column",
            // Every column that holds an enum accepts only its values, so no row can hold one the code would have to guess at.
            statements: [
                "ALTER TABLE agents ADD CONSTRAINT agents_provider_check CHECK (provider IN ('openai', 'elevenlabs'))",
                "ALTER TABLE agents ADD CONSTRAINT agents_tone_check CHECK (tone IN ('professional', 'friendly', 'formal', 'casual', 'empathetic'))",
                "ALTER TABLE tests ADD CONSTRAINT tests_type_check CHECK (type IN ('KNOWLEDGE', 'TECHNICAL', 'PERSONALITY', 'LOGIC'))",
                "ALTER TABLE tests ADD CONSTRAINT tests_difficulty_check CHECK (difficulty IN ('BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT'))",
                "ALTER TABLE assignments ADD CONSTRAINT assignments_status_check CHECK (status IN ('PENDING', 'INVITED', 'COMPLETED'))",
                "ALTER TABLE interviews ADD CONSTRAINT interviews_status_check CHECK (status IN ('DRAFT', 'INVITED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'EXPIRED'))",
                "ALTER TABLE interview_turns ADD CONSTRAINT interview_turns_role_check CHECK (role IN ('AGENT', 'CANDIDATE'))",
            ]
        ),
        IdempotencyStore.migration(version: 4),
        Migration(
            version: 5,
            name: "per-event retries of the outbox, and parked events",
            statements: [
                // Each event waits for its own next attempt: one that keeps failing no longer
                // holds back the others.
                """
                ALTER TABLE outbox_events
                    ADD COLUMN attempts INT NOT NULL DEFAULT 0,
                    ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    ADD COLUMN last_error TEXT
                """,
                "DROP INDEX outbox_events_pending_idx",
                "CREATE INDEX outbox_events_due_idx ON outbox_events (next_attempt_at, sequence) WHERE delivered_at IS NULL",
                // An event the reports service refused for good (a 4xx other than 408 and 429)
                // is moved here with the reason, until an operator redelivers it
                // (`interviews outbox redeliver`), which moves it back.
                """
                CREATE TABLE outbox_dead_letters (
                    id UUID PRIMARY KEY,
                    sequence BIGINT NOT NULL,
                    payload JSONB NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    attempts INT NOT NULL,
                    reason TEXT NOT NULL,
                    parked_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
            ]
        ),
        Migration(
            version: 6,
            name: "the outbox serves several destinations",
            // The outbox (docs/design/outbox.md) now also carries webhook events: each event names
            // its destination, and each destination is relayed apart. Existing events went to reports.
            statements: [
                "ALTER TABLE outbox_events ADD COLUMN destination TEXT NOT NULL DEFAULT 'reports'",
                "ALTER TABLE outbox_events ALTER COLUMN destination DROP DEFAULT",
                "ALTER TABLE outbox_dead_letters ADD COLUMN destination TEXT NOT NULL DEFAULT 'reports'",
                "ALTER TABLE outbox_dead_letters ALTER COLUMN destination DROP DEFAULT",
                "DROP INDEX outbox_events_due_idx",
                "CREATE INDEX outbox_events_due_idx ON outbox_events (destination, next_attempt_at, sequence) WHERE delivered_at IS NULL",
            ]
        ),
    ]
}
