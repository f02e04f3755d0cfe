import Foundation
import Logging
import PostgresNIO
import Shared

/// Tests and their assignments in PostgreSQL; every statement names the organization.
struct CandidateTestRepository: ResourceStore {
    let client: PostgresClient
    let logger: Logger

    /// The list filters of `GET /api/v1/tests`.
    struct Filters: Sendable {
        var type: CandidateTest.Kind?
        var difficulty: CandidateTest.Difficulty?
        var isPublished: Bool?
    }

    static let columns = "id, title, description, type, difficulty, duration_minutes, skills, passing_score, is_published, created_at, updated_at"
    static let assignmentColumns = "id, test_id, candidate_id, stage_id, status, score, passed, invited_at, completed_at, created_at"

    func create(_ test: CandidateTest, organizationId: UUID) async throws {
        try await client.run(
            """
            INSERT INTO tests (id, organization_id, title, description, type, difficulty, duration_minutes, skills, passing_score, is_published, created_at, updated_at)
            VALUES (\(test.id), \(organizationId), \(test.title), \(test.description), \(test.type?.rawValue), \(test.difficulty?.rawValue),
                \(test.durationMinutes), \(test.skills), \(test.passingScore), \(test.isPublished), \(test.createdAt), \(test.updatedAt))
            """,
            logger: logger
        )
    }

    func find(id: UUID, organizationId: UUID) async throws -> CandidateTest? {
        try await Self.find(client, id: id, organizationId: organizationId, lock: false, logger: logger)
    }

    func list(organizationId: UUID, filters: Filters, page: PageRequest) async throws -> ([CandidateTest], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM tests
                    WHERE organization_id = \(organizationId)
                      AND (\(filters.type?.rawValue)::text IS NULL OR type = \(filters.type?.rawValue))
                      AND (\(filters.difficulty?.rawValue)::text IS NULL OR difficulty = \(filters.difficulty?.rawValue))
                      AND (\(filters.isPublished)::boolean IS NULL OR is_published = \(filters.isPublished))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.candidateTest)
    }

    func update(id: UUID, organizationId: UUID, _ change: @Sendable (CandidateTest) throws -> CandidateTest) async throws -> CandidateTest? {
        try await client.updateLocked(
            logger: logger,
            read: { connection in
                try await Self.find(connection, id: id, organizationId: organizationId, lock: true, logger: logger)
            }, change: change,
            write: { connection, test in
                try await connection.query(
                    """
                    UPDATE tests SET title = \(test.title), description = \(test.description), type = \(test.type?.rawValue),
                        difficulty = \(test.difficulty?.rawValue), duration_minutes = \(test.durationMinutes), skills = \(test.skills),
                        passing_score = \(test.passingScore), is_published = \(test.isPublished), updated_at = \(test.updatedAt)
                    WHERE id = \(id) AND organization_id = \(organizationId)
                    """,
                    logger: logger
                )
            })
    }

    /// Deletes the test and its assignments; false if there is none.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run("DELETE FROM tests WHERE id = \(id) AND organization_id = \(organizationId) RETURNING id", logger: logger)
        return try await rows.collect().count == 1
    }

    /// Assigns a published test once per candidate. Nil if there is no such test; 422
    /// `TEST_NOT_PUBLISHED` for a draft; 409 `TEST_ALREADY_ASSIGNED` for a second time, also
    /// when two requests race (the unique constraint decides).
    func assign(testId: UUID, candidateId: UUID, stageId: UUID?, invite: Bool, organizationId: UUID) async throws -> Assignment? {
        guard let test = try await find(id: testId, organizationId: organizationId) else { return nil }
        guard test.isPublished else {
            throw APIError.unprocessable("TEST_NOT_PUBLISHED", "Publish the test (isPublished: true) before assigning it")
        }
        let now = Date()
        let status = invite ? Assignment.Status.INVITED : .PENDING
        do {
            let rows = try await client.run(
                """
                INSERT INTO assignments (id, organization_id, test_id, candidate_id, stage_id, status, invited_at, created_at)
                VALUES (\(UUID()), \(organizationId), \(testId), \(candidateId), \(stageId), \(status.rawValue), \(invite ? now : nil), \(now))
                RETURNING \(unescaped: Self.assignmentColumns)
                """,
                logger: logger
            )
            return try await rows.collect().first.map(Self.assignment)
        } catch let error as PSQLError where error.isUniqueViolation(of: "assignments_once_key") {
            throw APIError.conflict("TEST_ALREADY_ASSIGNED", "This test is already assigned to this candidate")
        }
    }

    /// One page of a test's assignments, newest first.
    func assignments(testId: UUID, organizationId: UUID, page: PageRequest) async throws -> ([Assignment], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.assignmentColumns), count(*) OVER () AS total FROM assignments
                    WHERE organization_id = \(organizationId) AND test_id = \(testId)
                    ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.assignment)
    }

    /// Records the result of an assignment once (the pass mark is the test's `passingScore`),
    /// with its outbox event in the same transaction. Nil if there is no such assignment; 409
    /// `ASSIGNMENT_ALREADY_COMPLETED` the second time.
    func complete(assignmentId: UUID, score: Int) async throws -> Assignment? {
        let logger = self.logger
        let completed: Assignment? = try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE assignments a SET status = 'COMPLETED', score = \(score), completed_at = now(),
                    passed = (t.passing_score IS NULL OR \(score) >= t.passing_score)
                FROM tests t
                WHERE a.id = \(assignmentId) AND t.id = a.test_id AND a.status <> 'COMPLETED'
                RETURNING a.id, a.organization_id, a.test_id, a.candidate_id, a.stage_id, a.status, a.score, a.passed, a.invited_at,
                    a.completed_at, a.created_at
                """,
                logger: logger
            )
            guard let row = try await rows.collect().first else { return nil }
            let assignment = try Self.assignment(row)
            let organizationId = try row.makeRandomAccess()["organization_id"].decode(UUID.self)
            try await Outbox.append(ReportEvent(assignment: assignment, organizationId: organizationId), on: connection, logger: logger)
            try await WebhookEvents.append(
                "assignment.completed", organizationId: organizationId, data: AssignmentView(assignment), on: connection, logger: logger)
            return assignment
        }
        if let completed { return completed }
        let existing = try await client.run("SELECT id FROM assignments WHERE id = \(assignmentId)", logger: logger)
        guard try await existing.collect().isEmpty else {
            throw APIError.conflict("ASSIGNMENT_ALREADY_COMPLETED", "This assignment already has its result")
        }
        return nil
    }

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, lock: Bool, logger: Logger) async throws -> CandidateTest? {
        let rows = try await runner.run(
            "SELECT \(unescaped: columns) FROM tests WHERE id = \(id) AND organization_id = \(organizationId) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger
        )
        return try await rows.collect().first.map(candidateTest)
    }

    static func candidateTest(_ row: PostgresRow) throws -> CandidateTest {
        let r = row.makeRandomAccess()
        return CandidateTest(
            id: try r["id"].decode(UUID.self),
            title: try r["title"].decode(String.self),
            description: try r["description"].decode(String?.self),
            type: try r["type"].decodeEnum(CandidateTest.Kind?.self),
            difficulty: try r["difficulty"].decodeEnum(CandidateTest.Difficulty?.self),
            durationMinutes: try r["duration_minutes"].decode(Int?.self),
            skills: try r["skills"].decode([String].self),
            passingScore: try r["passing_score"].decode(Int?.self),
            isPublished: try r["is_published"].decode(Bool.self),
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }

    static func assignment(_ row: PostgresRow) throws -> Assignment {
        let r = row.makeRandomAccess()
        return Assignment(
            id: try r["id"].decode(UUID.self),
            testId: try r["test_id"].decode(UUID.self),
            candidateId: try r["candidate_id"].decode(UUID.self),
            stageId: try r["stage_id"].decode(UUID?.self),
            status: try r["status"].decodeEnum(Assignment.Status.self),
            score: try r["score"].decode(Int?.self),
            passed: try r["passed"].decode(Bool?.self),
            invitedAt: try r["invited_at"].decode(Date?.self),
            completedAt: try r["completed_at"].decode(Date?.self),
            createdAt: try r["created_at"].decode(Date.self)
        )
    }
}
