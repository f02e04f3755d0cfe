import Foundation
import Logging
import PostgresNIO
import Shared

/// Interviews and their transcripts in PostgreSQL. Every state change is one conditional
/// UPDATE (`WHERE status = …`), so of two concurrent transitions exactly one happens.
struct InterviewRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// The list filters of `GET /api/v1/interviews`.
    struct Filters: Sendable {
        var status: Interview.Status?
        var jobId: UUID?
        var campaignId: UUID?
        var candidateId: UUID?
    }

    static let columns = """
        id, organization_id, candidate_id, job_id, campaign_id, stage_id, agent_id, status, expires_at, invited_at, started_at,
        completed_at, cancelled_at, score, recommendation, summary, strengths, weaknesses, criteria::text AS criteria, created_at, updated_at
        """

    func create(_ interview: Interview) async throws {
        do {
            try await client.run(
                """
                INSERT INTO interviews (id, organization_id, candidate_id, job_id, campaign_id, stage_id, agent_id, status, expires_at,
                    invited_at, created_at, updated_at)
                VALUES (\(interview.id), \(interview.organizationId), \(interview.candidateId), \(interview.jobId), \(interview.campaignId),
                    \(interview.stageId), \(interview.agentId), \(interview.storedStatus.rawValue), \(interview.expiresAt), \(interview.invitedAt),
                    \(interview.createdAt), \(interview.updatedAt))
                """,
                logger: logger
            )
        } catch let error as PSQLError where error.isForeignKeyViolation(of: "interviews_agent_fkey") {
            throw APIError.unprocessable("AGENT_NOT_FOUND", "agentId does not name an agent of this organization")
        }
    }

    /// The organization's interview (nil organization: any, for the agent runtime).
    func find(id: UUID, organizationId: UUID?) async throws -> Interview? {
        let rows = try await client.run(
            """
            SELECT \(unescaped: Self.columns) FROM interviews
            WHERE id = \(id) AND (\(organizationId)::uuid IS NULL OR organization_id = \(organizationId))
            """,
            logger: logger
        )
        return try await rows.collect().first.map(Self.interview)
    }

    func list(organizationId: UUID, filters: Filters, page: PageRequest) async throws -> ([Interview], Int) {
        // EXPIRED is not stored: it is an INVITED interview past its expiry, and INVITED excludes those.
        let stored = filters.status == .EXPIRED ? "INVITED" : filters.status?.rawValue
        let expiry = filters.status == .EXPIRED ? "expired" : (filters.status == .INVITED ? "live" : nil)
        return try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM interviews
                    WHERE organization_id = \(organizationId)
                      AND (\(stored)::text IS NULL OR status = \(stored))
                      AND (\(expiry)::text IS NULL OR (\(expiry) = 'expired') = (expires_at <= now()))
                      AND (\(filters.jobId)::uuid IS NULL OR job_id = \(filters.jobId))
                      AND (\(filters.campaignId)::uuid IS NULL OR campaign_id = \(filters.campaignId))
                      AND (\(filters.candidateId)::uuid IS NULL OR candidate_id = \(filters.candidateId))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.interview)
    }

    /// Cancels a DRAFT or live INVITED interview; otherwise the 409 its status calls for.
    func cancel(id: UUID, organizationId: UUID) async throws -> Interview? {
        try await transition(
            id: id, organizationId: organizationId, announcing: "interview.cancelled",
            """
            UPDATE interviews SET status = 'CANCELLED', cancelled_at = now(), updated_at = now()
            WHERE id = \(id) AND organization_id = \(organizationId)
              AND (status = 'DRAFT' OR (status = 'INVITED' AND expires_at > now()))
            RETURNING \(unescaped: Self.columns)
            """
        )
    }

    /// Starts a live INVITED interview (agent runtime).
    func start(id: UUID) async throws -> Interview? {
        try await transition(
            id: id, organizationId: nil, announcing: "interview.started",
            """
            UPDATE interviews SET status = 'IN_PROGRESS', started_at = now(), updated_at = now()
            WHERE id = \(id) AND status = 'INVITED' AND expires_at > now()
            RETURNING \(unescaped: Self.columns)
            """
        )
    }

    /// Completes an IN_PROGRESS interview with its evaluation (agent runtime), and in the same
    /// transaction writes the outbox event that will make its report.
    func complete(id: UUID, evaluation: Interview.Evaluation) async throws -> Interview? {
        let criteria = String(decoding: try JSONEncoder().encode(evaluation.criteria), as: UTF8.self)
        let logger = self.logger
        let completed: Interview? = try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE interviews SET status = 'COMPLETED', completed_at = now(), updated_at = now(), score = \(evaluation.score),
                    recommendation = \(evaluation.recommendation), summary = \(evaluation.summary), strengths = \(evaluation.strengths),
                    weaknesses = \(evaluation.weaknesses), criteria = \(criteria)::jsonb
                WHERE id = \(id) AND status = 'IN_PROGRESS'
                RETURNING \(unescaped: Self.columns)
                """,
                logger: logger
            )
            guard let row = try await rows.collect().first else { return nil }
            let interview = try Self.interview(row)
            let transcript = try await Self.transcript(connection, id: id, logger: logger)
            try await Outbox.append(ReportEvent(interview: interview, evaluation: evaluation, transcript: transcript), on: connection, logger: logger)
            try await WebhookEvents.append(
                "interview.completed", organizationId: interview.organizationId, data: InterviewView.Summary(interview), on: connection,
                logger: logger)
            return interview
        }
        if let completed { return completed }
        guard let current = try await find(id: id, organizationId: nil) else { return nil }
        throw Interview.conflict(for: current.status())
    }

    /// Appends a turn to an IN_PROGRESS interview's transcript (agent runtime), numbered in order.
    func addTurn(id: UUID, role: String, content: String) async throws -> Interview.Turn? {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("SELECT status, expires_at FROM interviews WHERE id = \(id) FOR UPDATE", logger: logger)
            guard let row = try await rows.collect().first else { return nil }
            let r = row.makeRandomAccess()
            let stored = try r["status"].decodeEnum(Interview.Status.self)
            let expiresAt = try r["expires_at"].decode(Date.self)
            guard stored == .IN_PROGRESS else {
                throw Interview.conflict(for: stored == .INVITED && expiresAt <= Date() ? .EXPIRED : stored)
            }
            let sizes = try await connection.query(
                "SELECT count(*)::int, coalesce(sum(char_length(content)), 0)::int FROM interview_turns WHERE interview_id = \(id)", logger: logger
            )
            for try await (turns, characters) in sizes.decode((Int, Int).self) {
                if turns >= ReportEventLimits.turnsPerInterview || characters + content.unicodeScalars.count > ReportEventLimits.transcriptCharacters
                {
                    throw APIError.unprocessable(
                        "TRANSCRIPT_FULL",
                        "A transcript holds at most \(ReportEventLimits.turnsPerInterview) turns and \(ReportEventLimits.transcriptCharacters) characters; complete the interview"
                    )
                }
            }
            let inserted = try await connection.query(
                """
                INSERT INTO interview_turns (interview_id, sequence, role, content)
                SELECT \(id), coalesce(max(sequence), 0) + 1, \(role), \(content) FROM interview_turns WHERE interview_id = \(id)
                RETURNING sequence, role, content, created_at
                """,
                logger: logger
            )
            guard let turn = try await inserted.collect().first else { return nil }
            let (sequence, savedRole, savedContent, createdAt) = try turn.decode((Int, String, String, Date).self)
            return Interview.Turn(sequence: sequence, role: savedRole, content: savedContent, createdAt: createdAt)
        }
    }

    /// The transcript, in order.
    func transcript(id: UUID) async throws -> [Interview.Turn] {
        try await Self.transcript(client, id: id, logger: logger)
    }

    static func transcript(_ runner: some PostgresQueryRunner, id: UUID, logger: Logger) async throws -> [Interview.Turn] {
        let rows = try await runner.run(
            "SELECT sequence, role, content, created_at FROM interview_turns WHERE interview_id = \(id) ORDER BY sequence", logger: logger
        )
        return try await rows.collect().map { row in
            let (sequence, role, content, createdAt) = try row.decode((Int, String, String, Date).self)
            return Interview.Turn(sequence: sequence, role: role, content: content, createdAt: createdAt)
        }
    }

    /// Runs a conditional UPDATE and, in its transaction, the webhook event of `type` that
    /// announces it; when it changes nothing, answers 404 or the status's 409.
    private func transition(id: UUID, organizationId: UUID?, announcing type: String, _ update: PostgresQuery) async throws -> Interview? {
        let logger = self.logger
        let changed: Interview? = try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(update, logger: logger)
            guard let row = try await rows.collect().first else { return nil }
            let interview = try Self.interview(row)
            try await WebhookEvents.append(
                type, organizationId: interview.organizationId, data: InterviewView.Summary(interview), on: connection, logger: logger)
            return interview
        }
        if let changed { return changed }
        guard let current = try await find(id: id, organizationId: organizationId) else { return nil }
        throw Interview.conflict(for: current.status())
    }

    static func interview(_ row: PostgresRow) throws -> Interview {
        let r = row.makeRandomAccess()
        var evaluation: Interview.Evaluation?
        if let score = try r["score"].decode(Int?.self) {
            let criteria = try r["criteria"].decode(String?.self).flatMap {
                try? JSONDecoder().decode([Interview.Evaluation.Criterion].self, from: Data($0.utf8))
            }
            evaluation = Interview.Evaluation(
                score: score, recommendation: try r["recommendation"].decode(String?.self), summary: try r["summary"].decode(String?.self),
                strengths: try r["strengths"].decode([String]?.self) ?? [], weaknesses: try r["weaknesses"].decode([String]?.self) ?? [],
                criteria: criteria ?? []
            )
        }
        return Interview(
            id: try r["id"].decode(UUID.self),
            organizationId: try r["organization_id"].decode(UUID.self),
            candidateId: try r["candidate_id"].decode(UUID.self),
            jobId: try r["job_id"].decode(UUID.self),
            campaignId: try r["campaign_id"].decode(UUID?.self),
            stageId: try r["stage_id"].decode(UUID?.self),
            agentId: try r["agent_id"].decode(UUID?.self),
            storedStatus: try r["status"].decodeEnum(Interview.Status.self),
            expiresAt: try r["expires_at"].decode(Date.self),
            invitedAt: try r["invited_at"].decode(Date?.self),
            startedAt: try r["started_at"].decode(Date?.self),
            completedAt: try r["completed_at"].decode(Date?.self),
            cancelledAt: try r["cancelled_at"].decode(Date?.self),
            evaluation: evaluation,
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
