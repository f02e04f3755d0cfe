import Foundation
import Logging
import PostgresNIO
import Shared

/// Reports in PostgreSQL. Written only by applying events, each at most once.
struct ReportRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// The list filters of `GET /api/v1/reports`.
    struct Filters: Sendable {
        var candidateId: UUID?
        var campaignId: UUID?
        var type: Report.Kind?
    }

    static let columns = """
        id, type, interview_id, assignment_id, test_id, candidate_id, job_id, campaign_id, score, passed, recommendation, summary,
        strengths, weaknesses, criteria::text AS criteria, transcript::text AS transcript, completed_at, generated_at
        """

    /// Applies an event: one report, however often the event arrives, and with it, in the same
    /// transaction, the `report.created` webhook event. True if this call made it.
    @discardableResult
    func apply(_ event: ReportEvent) async throws -> Bool {
        let criteria = String(decoding: try ReportEvent.encoder.encode(event.criteria), as: UTF8.self)
        let transcript = String(decoding: try ReportEvent.encoder.encode(event.transcript), as: UTF8.self)
        let logger = self.logger
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO reports (id, organization_id, event_id, type, interview_id, assignment_id, test_id, candidate_id, job_id, campaign_id,
                    score, passed, recommendation, summary, strengths, weaknesses, criteria, transcript, completed_at)
                VALUES (\(UUID()), \(event.organizationId), \(event.eventId), \(event.type.rawValue), \(event.interviewId), \(event.assignmentId),
                    \(event.testId), \(event.candidateId), \(event.jobId), \(event.campaignId), \(event.score), \(event.passed),
                    \(event.recommendation), \(event.summary), \(event.strengths), \(event.weaknesses), \(criteria)::jsonb, \(transcript)::jsonb,
                    \(event.completedAt))
                ON CONFLICT DO NOTHING
                RETURNING id, generated_at
                """,
                logger: logger
            )
            guard let (id, generatedAt) = try await rows.collect().first?.decode((UUID, Date).self) else { return false }
            try await WebhookEvents.append(
                "report.created", organizationId: event.organizationId, data: ReportCreated(id: id, event: event, generatedAt: generatedAt),
                on: connection, logger: logger)
            return true
        }
    }

    /// The organization's report found by `column` (`id`, `interview_id` or `assignment_id`).
    func find(_ column: Lookup, _ id: UUID, organizationId: UUID) async throws -> Report? {
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM reports WHERE \(unescaped: column.rawValue) = \(id) AND organization_id = \(organizationId)",
            logger: logger
        )
        return try await rows.collect().first.map(Self.report)
    }

    /// The columns a single report can be found by.
    enum Lookup: String { case id, interview_id, assignment_id }

    func list(organizationId: UUID, filters: Filters, page: PageRequest) async throws -> ([Report], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.query(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM reports
                    WHERE organization_id = \(organizationId)
                      AND (\(filters.candidateId)::uuid IS NULL OR candidate_id = \(filters.candidateId))
                      AND (\(filters.campaignId)::uuid IS NULL OR campaign_id = \(filters.campaignId))
                      AND (\(filters.type?.rawValue)::text IS NULL OR type = \(filters.type?.rawValue))
                    ORDER BY generated_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.report)
    }

    static func report(_ row: PostgresRow) throws -> Report {
        let r = row.makeRandomAccess()
        return Report(
            id: try r["id"].decode(UUID.self),
            type: try r["type"].decodeEnum(Report.Kind.self),
            interviewId: try r["interview_id"].decode(UUID?.self),
            assignmentId: try r["assignment_id"].decode(UUID?.self),
            testId: try r["test_id"].decode(UUID?.self),
            candidateId: try r["candidate_id"].decode(UUID.self),
            jobId: try r["job_id"].decode(UUID?.self),
            campaignId: try r["campaign_id"].decode(UUID?.self),
            score: try r["score"].decode(Int.self),
            passed: try r["passed"].decode(Bool?.self),
            recommendation: try r["recommendation"].decode(String?.self),
            summary: try r["summary"].decode(String?.self),
            strengths: try r["strengths"].decode([String].self),
            weaknesses: try r["weaknesses"].decode([String].self),
            criteria: try r["criteria"].decode(String.self),
            transcript: try r["transcript"].decode(String.self),
            completedAt: try r["completed_at"].decode(Date.self),
            generatedAt: try r["generated_at"].decode(Date.self)
        )
    }
}
