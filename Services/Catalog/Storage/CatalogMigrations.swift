import Shared

/// The catalog's schema, in order. Never edit an applied migration; add the next one.
/// Every table carries `organization_id`, and every index used by a list starts with it.
enum CatalogMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "jobs, candidates, campaigns, stages, campaign membership",
            statements: [
                """
                CREATE TABLE jobs (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    title TEXT NOT NULL,
                    description TEXT,
                    department TEXT,
                    location TEXT,
                    work_mode TEXT,
                    seniority TEXT,
                    contract_type TEXT,
                    salary_min INTEGER,
                    salary_max INTEGER,
                    daily_rate INTEGER,
                    skills TEXT[] NOT NULL DEFAULT '{}',
                    status TEXT NOT NULL DEFAULT 'DRAFT',
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max)
                )
                """,
                "CREATE UNIQUE INDEX jobs_organization_id_key ON jobs (organization_id, id)",
                "CREATE INDEX jobs_list_idx ON jobs (organization_id, created_at DESC, id DESC)",
                "CREATE INDEX jobs_status_idx ON jobs (organization_id, status, created_at DESC)",
                "CREATE INDEX jobs_department_idx ON jobs (organization_id, department, created_at DESC)",
                "CREATE INDEX jobs_work_mode_idx ON jobs (organization_id, work_mode, created_at DESC)",
                """
                CREATE TABLE candidates (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    email TEXT NOT NULL,
                    first_name TEXT,
                    last_name TEXT,
                    phone TEXT,
                    locale TEXT NOT NULL DEFAULT 'fr',
                    cv_url TEXT,
                    tags TEXT[] NOT NULL DEFAULT '{}',
                    source TEXT,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """,
                "CREATE UNIQUE INDEX candidates_email_key ON candidates (organization_id, lower(email))",
                "CREATE UNIQUE INDEX candidates_organization_id_key ON candidates (organization_id, id)",
                "CREATE INDEX candidates_list_idx ON candidates (organization_id, created_at DESC, id DESC)",
                "CREATE INDEX candidates_tags_idx ON candidates USING GIN (tags)",
                // Campaigns reference jobs of the same organization; a job with campaigns cannot
                // be deleted (RESTRICT), deleting a campaign removes its stages and members.
                """
                CREATE TABLE campaigns (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    job_id UUID NOT NULL,
                    name TEXT NOT NULL,
                    description TEXT,
                    status TEXT NOT NULL DEFAULT 'DRAFT',
                    start_date TIMESTAMPTZ,
                    end_date TIMESTAMPTZ,
                    target_count INTEGER,
                    agent_id UUID,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    CONSTRAINT campaigns_job_fkey FOREIGN KEY (organization_id, job_id) REFERENCES jobs (organization_id, id) ON DELETE RESTRICT,
                    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
                )
                """,
                "CREATE UNIQUE INDEX campaigns_organization_id_key ON campaigns (organization_id, id)",
                "CREATE INDEX campaigns_list_idx ON campaigns (organization_id, created_at DESC, id DESC)",
                "CREATE INDEX campaigns_job_idx ON campaigns (organization_id, job_id)",
                """
                CREATE TABLE stages (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    campaign_id UUID NOT NULL,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    position INTEGER NOT NULL CHECK (position >= 0),
                    agent_id UUID,
                    test_id UUID,
                    pass_threshold INTEGER CHECK (pass_threshold BETWEEN 0 AND 100),
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    CONSTRAINT stages_campaign_fkey FOREIGN KEY (organization_id, campaign_id) REFERENCES campaigns (organization_id, id) ON DELETE CASCADE,
                    -- Deferred, so that shifting positions inside one transaction never trips it.
                    CONSTRAINT stages_position_key UNIQUE (campaign_id, position) DEFERRABLE INITIALLY DEFERRED
                )
                """,
                "CREATE UNIQUE INDEX stages_campaign_id_key ON stages (campaign_id, id)",
                "CREATE INDEX stages_organization_idx ON stages (organization_id, campaign_id, position)",
                """
                CREATE TABLE campaign_candidates (
                    organization_id UUID NOT NULL,
                    campaign_id UUID NOT NULL,
                    candidate_id UUID NOT NULL,
                    stage_id UUID,
                    status TEXT NOT NULL DEFAULT 'ACTIVE',
                    added_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    CONSTRAINT campaign_candidates_pkey PRIMARY KEY (campaign_id, candidate_id),
                    CONSTRAINT campaign_candidates_campaign_fkey FOREIGN KEY (organization_id, campaign_id) REFERENCES campaigns (organization_id, id) ON DELETE CASCADE,
                    CONSTRAINT campaign_candidates_candidate_fkey FOREIGN KEY (organization_id, candidate_id) REFERENCES candidates (organization_id, id) ON DELETE CASCADE,
                    -- A member's stage belongs to its campaign; a stage with members is not deleted (NO ACTION,
                    -- checked at the end of the statement, so deleting a whole campaign still cascades).
                    CONSTRAINT campaign_candidates_stage_fkey FOREIGN KEY (campaign_id, stage_id) REFERENCES stages (campaign_id, id)
                )
                """,
                "CREATE INDEX campaign_candidates_candidate_idx ON campaign_candidates (organization_id, candidate_id)",
                "CREATE INDEX campaign_candidates_stage_idx ON campaign_candidates (campaign_id, stage_id)",
            ]
        ),
        Migration(
            version: 2,
            name: "CHECK constraints on every enum column",
            // Every column that holds an enum accepts only its values, so no row can hold one the code would have to guess at.
            statements: [
                "ALTER TABLE jobs ADD CONSTRAINT jobs_work_mode_check CHECK (work_mode IN ('ONSITE', 'REMOTE', 'HYBRID'))",
                "ALTER TABLE jobs ADD CONSTRAINT jobs_seniority_check CHECK (seniority IN ('INTERN', 'JUNIOR', 'MID', 'SENIOR', 'LEAD', 'MANAGER', 'DIRECTOR'))",
                "ALTER TABLE jobs ADD CONSTRAINT jobs_contract_type_check CHECK (contract_type IN ('CDI', 'CDD', 'FREELANCE', 'INTERNSHIP', 'APPRENTICESHIP'))",
                "ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('DRAFT', 'ACTIVE', 'PAUSED', 'CLOSED'))",
                "ALTER TABLE campaigns ADD CONSTRAINT campaigns_status_check CHECK (status IN ('DRAFT', 'ACTIVE', 'PAUSED', 'COMPLETED', 'ARCHIVED'))",
                "ALTER TABLE stages ADD CONSTRAINT stages_type_check CHECK (type IN ('AI_INTERVIEW', 'TEST', 'AI_PREQUALIFICATION', 'HUMAN_REVIEW'))",
                "ALTER TABLE campaign_candidates ADD CONSTRAINT campaign_candidates_status_check CHECK (status IN ('ACTIVE', 'REJECTED', 'HIRED', 'WITHDRAWN'))",
            ]
        ),
        IdempotencyStore.migration(version: 3),
        Outbox.migration(version: 4),
    ]
}
