import Shared

/// The reports service's schema, in order. Never edit an applied migration; add the next one.
enum ReportsMigrations {
    static let all: [Migration] = [
        Migration(
            version: 1,
            name: "reports, one per completed interview or assignment, keyed by the event that made it",
            statements: [
                """
                CREATE TABLE reports (
                    id UUID PRIMARY KEY,
                    organization_id UUID NOT NULL,
                    event_id UUID NOT NULL,
                    type TEXT NOT NULL CHECK (type IN ('INTERVIEW', 'TEST')),
                    interview_id UUID,
                    assignment_id UUID,
                    test_id UUID,
                    candidate_id UUID NOT NULL,
                    job_id UUID,
                    campaign_id UUID,
                    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
                    passed BOOLEAN,
                    recommendation TEXT,
                    summary TEXT,
                    strengths TEXT[] NOT NULL DEFAULT '{}',
                    weaknesses TEXT[] NOT NULL DEFAULT '{}',
                    criteria JSONB NOT NULL DEFAULT '[]',
                    transcript JSONB NOT NULL DEFAULT '[]',
                    completed_at TIMESTAMPTZ NOT NULL,
                    generated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                    CHECK ((type = 'INTERVIEW') = (interview_id IS NOT NULL)),
                    CHECK ((type = 'TEST') = (assignment_id IS NOT NULL))
                )
                """,
                // Applying an event twice changes nothing: the event id, and the interview or
                // assignment it reports on, are each unique.
                "CREATE UNIQUE INDEX reports_event_key ON reports (event_id)",
                "CREATE UNIQUE INDEX reports_interview_key ON reports (interview_id)",
                "CREATE UNIQUE INDEX reports_assignment_key ON reports (assignment_id)",
                "CREATE INDEX reports_list_idx ON reports (organization_id, generated_at DESC, id DESC)",
                "CREATE INDEX reports_candidate_idx ON reports (organization_id, candidate_id)",
                "CREATE INDEX reports_campaign_idx ON reports (organization_id, campaign_id)",
            ]
        ),
        Outbox.migration(version: 2),
    ]
}
