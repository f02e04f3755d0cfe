import Foundation
import Logging
import PostgresNIO
import Shared

/// Campaigns in PostgreSQL; every statement names the organization.
struct CampaignRepository: ResourceStore {
    let client: PostgresClient
    let logger: Logger

    /// The list filters of `GET /api/v1/campaigns`.
    struct Filters: Sendable {
        var status: Campaign.Status?
        var jobId: UUID?
    }

    static let columns = "id, job_id, name, description, status, start_date, end_date, target_count, agent_id, created_at, updated_at"
    static let jobNotFound = APIError.unprocessable("JOB_NOT_FOUND", "jobId does not name a job of this organization")

    /// Stores a new campaign; a job outside the organization is 422 `JOB_NOT_FOUND`.
    func create(_ campaign: Campaign, organizationId: UUID) async throws {
        do {
            try await client.run(
                """
                INSERT INTO campaigns (id, organization_id, job_id, name, description, status, start_date, end_date, target_count, agent_id, created_at, updated_at)
                VALUES (\(campaign.id), \(organizationId), \(campaign.jobId), \(campaign.name), \(campaign.description), \(campaign.status.rawValue),
                    \(campaign.startDate), \(campaign.endDate), \(campaign.targetCount), \(campaign.agentId), \(campaign.createdAt), \(campaign.updatedAt))
                """,
                logger: logger
            )
        } catch let error as PSQLError where error.isForeignKeyViolation(of: "campaigns_job_fkey") {
            throw Self.jobNotFound
        }
    }

    func find(id: UUID, organizationId: UUID) async throws -> Campaign? {
        try await Self.find(client, id: id, organizationId: organizationId, lock: false, logger: logger)
    }

    func list(organizationId: UUID, filters: Filters, page: PageRequest) async throws -> ([Campaign], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM campaigns
                    WHERE organization_id = \(organizationId)
                      AND (\(filters.status?.rawValue)::text IS NULL OR status = \(filters.status?.rawValue))
                      AND (\(filters.jobId)::uuid IS NULL OR job_id = \(filters.jobId))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.campaign)
    }

    /// Applies `change` under a row lock and stores the result; nil if there is no such campaign.
    func update(id: UUID, organizationId: UUID, _ change: @Sendable (Campaign) throws -> Campaign) async throws -> Campaign? {
        do {
            return try await client.updateLocked(
                logger: logger,
                read: { connection in
                    try await Self.find(connection, id: id, organizationId: organizationId, lock: true, logger: logger)
                }, change: change,
                write: { connection, campaign in
                    try await connection.query(
                        """
                        UPDATE campaigns SET job_id = \(campaign.jobId), name = \(campaign.name), description = \(campaign.description),
                            status = \(campaign.status.rawValue), start_date = \(campaign.startDate), end_date = \(campaign.endDate),
                            target_count = \(campaign.targetCount), agent_id = \(campaign.agentId), updated_at = \(campaign.updatedAt)
                        WHERE id = \(id) AND organization_id = \(organizationId)
                        """,
                        logger: logger
                    )
                })
        } catch let error as PSQLError where error.isForeignKeyViolation(of: "campaigns_job_fkey") {
            throw Self.jobNotFound
        }
    }

    /// Deletes the campaign with its stages and memberships; false if there is none.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run(
            "DELETE FROM campaigns WHERE id = \(id) AND organization_id = \(organizationId) RETURNING id", logger: logger)
        return try await rows.collect().count == 1
    }

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, lock: Bool, logger: Logger) async throws -> Campaign? {
        let rows = try await runner.run(
            "SELECT \(unescaped: columns) FROM campaigns WHERE id = \(id) AND organization_id = \(organizationId) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger
        )
        return try await rows.collect().first.map(campaign)
    }

    static func campaign(_ row: PostgresRow) throws -> Campaign {
        let r = row.makeRandomAccess()
        return Campaign(
            id: try r["id"].decode(UUID.self),
            jobId: try r["job_id"].decode(UUID.self),
            name: try r["name"].decode(String.self),
            description: try r["description"].decode(String?.self),
            status: try r["status"].decodeEnum(Campaign.Status.self),
            startDate: try r["start_date"].decode(Date?.self),
            endDate: try r["end_date"].decode(Date?.self),
            targetCount: try r["target_count"].decode(Int?.self),
            agentId: try r["agent_id"].decode(UUID?.self),
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
