import Foundation
import Logging
import PostgresNIO
import Shared

/// Candidates in PostgreSQL; every statement names the organization.
struct CandidateRepository: ResourceStore {
    let client: PostgresClient
    let logger: Logger

    /// The list filters of `GET /api/v1/candidates`.
    struct Filters: Sendable {
        /// Part of the name or email, any case.
        var search: String?
        var campaignId: UUID?
        /// Tags the candidate must all have.
        var tags: [String]?
    }

    static let columns = "c.id, c.email, c.first_name, c.last_name, c.phone, c.locale, c.cv_url, c.tags, c.source, c.created_at, c.updated_at"
    static let emailConflict = APIError.conflict("EMAIL_ALREADY_EXISTS", "A candidate with this email already exists in the organization")

    func create(_ candidate: Candidate, organizationId: UUID) async throws {
        do {
            try await client.run(
                """
                INSERT INTO candidates (id, organization_id, email, first_name, last_name, phone, locale, cv_url, tags, source, created_at, updated_at)
                VALUES (\(candidate.id), \(organizationId), \(candidate.email), \(candidate.firstName), \(candidate.lastName), \(candidate.phone),
                    \(candidate.locale), \(candidate.cvUrl), \(candidate.tags), \(candidate.source), \(candidate.createdAt), \(candidate.updatedAt))
                """,
                logger: logger
            )
        } catch let error as PSQLError where error.isUniqueViolation(of: "candidates_email_key") {
            throw Self.emailConflict
        }
    }

    func find(id: UUID, organizationId: UUID) async throws -> Candidate? {
        try await Self.find(client, id: id, organizationId: organizationId, lock: false, logger: logger)
    }

    func list(organizationId: UUID, filters: Filters, page: PageRequest) async throws -> ([Candidate], Int) {
        let pattern = filters.search.map { "%" + Self.escapeLike($0.lowercased()) + "%" }
        return try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM candidates c
                    WHERE c.organization_id = \(organizationId)
                      AND (\(pattern)::text IS NULL
                           OR lower(c.email) LIKE \(pattern)
                           OR lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) LIKE \(pattern))
                      AND (\(filters.tags)::text[] IS NULL OR c.tags @> \(filters.tags))
                      AND (\(filters.campaignId)::uuid IS NULL OR EXISTS (
                           SELECT 1 FROM campaign_candidates m
                           WHERE m.organization_id = \(organizationId) AND m.candidate_id = c.id AND m.campaign_id = \(filters.campaignId)))
                    ORDER BY c.created_at DESC, c.id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.candidate)
    }

    /// Applies `change` under a row lock and stores the result; nil if there is no such candidate.
    func update(id: UUID, organizationId: UUID, _ change: @Sendable (Candidate) throws -> Candidate) async throws -> Candidate? {
        do {
            return try await client.updateLocked(
                logger: logger,
                read: { connection in
                    try await Self.find(connection, id: id, organizationId: organizationId, lock: true, logger: logger)
                }, change: change,
                write: { connection, candidate in
                    try await connection.query(
                        """
                        UPDATE candidates SET email = \(candidate.email), first_name = \(candidate.firstName), last_name = \(candidate.lastName),
                            phone = \(candidate.phone), locale = \(candidate.locale), cv_url = \(candidate.cvUrl), tags = \(candidate.tags),
                            source = \(candidate.source), updated_at = \(candidate.updatedAt)
                        WHERE id = \(id) AND organization_id = \(organizationId)
                        """,
                        logger: logger
                    )
                })
        } catch let error as PSQLError where error.isUniqueViolation(of: "candidates_email_key") {
            throw Self.emailConflict
        }
    }

    /// Deletes the candidate and their campaign memberships; false if there is none.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run(
            "DELETE FROM candidates WHERE id = \(id) AND organization_id = \(organizationId) RETURNING id", logger: logger)
        return try await rows.collect().count == 1
    }

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, lock: Bool, logger: Logger) async throws -> Candidate? {
        let rows = try await runner.run(
            "SELECT \(unescaped: columns) FROM candidates c WHERE c.id = \(id) AND c.organization_id = \(organizationId) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger
        )
        return try await rows.collect().first.map(candidate)
    }

    /// Escapes LIKE's wildcards so a search for "50%" means the text "50%".
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    static func candidate(_ row: PostgresRow) throws -> Candidate {
        let r = row.makeRandomAccess()
        return Candidate(
            id: try r["id"].decode(UUID.self),
            email: try r["email"].decode(String.self),
            firstName: try r["first_name"].decode(String?.self),
            lastName: try r["last_name"].decode(String?.self),
            phone: try r["phone"].decode(String?.self),
            locale: try r["locale"].decode(String.self),
            cvUrl: try r["cv_url"].decode(String?.self),
            tags: try r["tags"].decode([String].self),
            source: try r["source"].decode(String?.self),
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
