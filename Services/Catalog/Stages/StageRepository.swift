import Foundation
import Logging
import PostgresNIO
import Shared

/// Stages in PostgreSQL. Every change locks the campaign row first, so concurrent inserts,
/// moves and deletes in one campaign happen one after another and positions stay dense.
struct StageRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    static let columns = "id, campaign_id, name, type, position, agent_id, test_id, pass_threshold, created_at, updated_at"
    static let campaignNotFound = APIError.unprocessable("CAMPAIGN_NOT_FOUND", "campaignId does not name a campaign of this organization")

    /// Inserts the stage at `position` (default: last), shifting the ones at and after it.
    func create(_ stage: Stage, position requested: Int?, organizationId: UUID) async throws -> Stage {
        try await client.transaction(logger: logger) { connection in
            guard try await Self.lockCampaign(connection, stage.campaignId, organizationId: organizationId, logger: logger) else {
                throw Self.campaignNotFound
            }
            let count = try await Self.count(connection, campaignId: stage.campaignId, logger: logger)
            // Past the end (or absent) means last: positions stay dense whatever the client asked.
            let position = min(requested ?? count, count)
            var stage = stage
            stage.position = position
            try await connection.query(
                "UPDATE stages SET position = position + 1 WHERE campaign_id = \(stage.campaignId) AND position >= \(position)",
                logger: logger
            )
            try await connection.query(
                """
                INSERT INTO stages (id, organization_id, campaign_id, name, type, position, agent_id, test_id, pass_threshold, created_at, updated_at)
                VALUES (\(stage.id), \(organizationId), \(stage.campaignId), \(stage.name), \(stage.type.rawValue), \(position),
                    \(stage.agentId), \(stage.testId), \(stage.passThreshold), \(stage.createdAt), \(stage.updatedAt))
                """,
                logger: logger
            )
            return stage
        }
    }

    func find(id: UUID, organizationId: UUID) async throws -> Stage? {
        try await Self.find(client, id: id, organizationId: organizationId, logger: logger)
    }

    /// Every stage of the campaign, in order.
    func all(campaignId: UUID, organizationId: UUID) async throws -> [Stage] {
        let rows = try await client.run(
            """
            SELECT \(unescaped: Self.columns) FROM stages
            WHERE campaign_id = \(campaignId) AND organization_id = \(organizationId) ORDER BY position
            """,
            logger: logger
        )
        return try await rows.collect().map(Self.stage)
    }

    /// One page of the campaign's stages, in order.
    func list(campaignId: UUID, organizationId: UUID, page: PageRequest) async throws -> ([Stage], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM stages
                    WHERE campaign_id = \(campaignId) AND organization_id = \(organizationId)
                    ORDER BY position LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.stage)
    }

    /// Applies `change` and moves the stage to the requested position, keeping positions dense.
    func update(id: UUID, organizationId: UUID, _ change: @Sendable (Stage) throws -> (Stage, Int?)) async throws -> Stage? {
        try await client.transaction(logger: logger) { connection in
            guard let campaignId = try await Self.campaignOf(connection, stage: id, organizationId: organizationId, logger: logger),
                try await Self.lockCampaign(connection, campaignId, organizationId: organizationId, logger: logger),
                let current = try await Self.find(connection, id: id, organizationId: organizationId, logger: logger)
            else { return nil }
            var (stage, requested) = try change(current)
            let count = requested == nil ? 0 : try await Self.count(connection, campaignId: campaignId, logger: logger)
            // Past the end means last.
            if let target = requested.map({ min($0, count - 1) }), target != current.position {
                if target < current.position {
                    try await connection.query(
                        "UPDATE stages SET position = position + 1 WHERE campaign_id = \(campaignId) AND position >= \(target) AND position < \(current.position)",
                        logger: logger
                    )
                } else {
                    try await connection.query(
                        "UPDATE stages SET position = position - 1 WHERE campaign_id = \(campaignId) AND position > \(current.position) AND position <= \(target)",
                        logger: logger
                    )
                }
                stage.position = target
            }
            try await connection.query(
                """
                UPDATE stages SET name = \(stage.name), type = \(stage.type.rawValue), position = \(stage.position), agent_id = \(stage.agentId),
                    test_id = \(stage.testId), pass_threshold = \(stage.passThreshold), updated_at = \(stage.updatedAt)
                WHERE id = \(id)
                """,
                logger: logger
            )
            return stage
        }
    }

    /// Deletes the stage and closes the gap; a stage that still has candidates is 409 `STAGE_NOT_EMPTY`.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        do {
            return try await client.transaction(logger: logger) { connection in
                guard let campaignId = try await Self.campaignOf(connection, stage: id, organizationId: organizationId, logger: logger),
                    try await Self.lockCampaign(connection, campaignId, organizationId: organizationId, logger: logger)
                else { return false }
                let deleted = try await connection.query("DELETE FROM stages WHERE id = \(id) RETURNING position", logger: logger)
                guard let position = try await deleted.collect().first?.decode(Int.self) else { return false }
                try await connection.query(
                    "UPDATE stages SET position = position - 1 WHERE campaign_id = \(campaignId) AND position > \(position)", logger: logger
                )
                return true
            }
        } catch let error as PSQLError where error.isForeignKeyViolation(of: "campaign_candidates_stage_fkey") {
            throw APIError.conflict("STAGE_NOT_EMPTY", "Candidates are still in this stage; move or remove them first")
        }
    }

    // MARK: Helpers run inside a transaction

    static func lockCampaign(_ connection: PostgresConnection, _ campaignId: UUID, organizationId: UUID, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT id FROM campaigns WHERE id = \(campaignId) AND organization_id = \(organizationId) FOR UPDATE", logger: logger
        )
        return try await rows.collect().count == 1
    }

    static func campaignOf(_ connection: PostgresConnection, stage id: UUID, organizationId: UUID, logger: Logger) async throws -> UUID? {
        let rows = try await connection.query(
            "SELECT campaign_id FROM stages WHERE id = \(id) AND organization_id = \(organizationId)", logger: logger)
        return try await rows.collect().first?.decode(UUID.self)
    }

    static func count(_ connection: PostgresConnection, campaignId: UUID, logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT count(*) FROM stages WHERE campaign_id = \(campaignId)", logger: logger)
        return try await rows.collect().first?.decode(Int.self) ?? 0
    }

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, logger: Logger) async throws -> Stage? {
        let rows = try await runner.run(
            "SELECT \(unescaped: columns) FROM stages WHERE id = \(id) AND organization_id = \(organizationId)", logger: logger
        )
        return try await rows.collect().first.map(stage)
    }

    static func stage(_ row: PostgresRow) throws -> Stage {
        let r = row.makeRandomAccess()
        return Stage(
            id: try r["id"].decode(UUID.self),
            campaignId: try r["campaign_id"].decode(UUID.self),
            name: try r["name"].decode(String.self),
            type: try r["type"].decodeEnum(Stage.Kind.self),
            position: try r["position"].decode(Int.self),
            agentId: try r["agent_id"].decode(UUID?.self),
            testId: try r["test_id"].decode(UUID?.self),
            passThreshold: try r["pass_threshold"].decode(Int?.self),
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
