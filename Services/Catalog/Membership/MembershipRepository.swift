import Foundation
import Logging
import PostgresNIO
import Shared

/// Which candidates are in which campaign, and at which stage.
struct MembershipRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    static let columns = "campaign_id, candidate_id, stage_id, status, added_at, updated_at"
    static let stageNotFound = APIError.unprocessable("STAGE_NOT_FOUND", "stageId does not name a stage of this campaign")

    /// Adds the candidate at `stageId`, or the campaign's first stage. Nil if there is no such campaign.
    func add(campaignId: UUID, candidateId: UUID, stageId: UUID?, organizationId: UUID) async throws -> Membership? {
        do {
            return try await client.transaction(logger: logger) { connection in
                guard try await StageRepository.lockCampaign(connection, campaignId, organizationId: organizationId, logger: logger) else {
                    return nil
                }
                let candidate = try await connection.query(
                    "SELECT id FROM candidates WHERE id = \(candidateId) AND organization_id = \(organizationId)", logger: logger
                )
                guard try await candidate.collect().count == 1 else {
                    throw APIError.unprocessable("CANDIDATE_NOT_FOUND", "candidateId does not name a candidate of this organization")
                }
                let stage: UUID?
                if let stageId {
                    guard try await Self.stageBelongs(connection, stageId, to: campaignId, logger: logger) else { throw Self.stageNotFound }
                    stage = stageId
                } else {
                    let first = try await connection.query(
                        "SELECT id FROM stages WHERE campaign_id = \(campaignId) ORDER BY position LIMIT 1", logger: logger
                    )
                    stage = try await first.collect().first?.decode(UUID.self)
                }
                let rows = try await connection.query(
                    """
                    INSERT INTO campaign_candidates (organization_id, campaign_id, candidate_id, stage_id)
                    VALUES (\(organizationId), \(campaignId), \(candidateId), \(stage))
                    RETURNING \(unescaped: Self.columns)
                    """,
                    logger: logger
                )
                guard let membership = try await rows.collect().first.map(Self.membership) else { return nil }
                try await CandidateMoved.announce(membership, from: nil, organizationId: organizationId, on: connection, logger: logger)
                return membership
            }
        } catch let error as PSQLError where error.isUniqueViolation(of: "campaign_candidates_pkey") {
            throw APIError.conflict("CANDIDATE_ALREADY_IN_CAMPAIGN", "This candidate is already in the campaign")
        }
    }

    /// Moves the member to `stageId` and/or sets `status`; nil if the candidate is not in the campaign.
    func move(campaignId: UUID, candidateId: UUID, stageId: UUID?, status: Membership.Status?, organizationId: UUID) async throws -> Membership? {
        try await client.transaction(logger: logger) { connection in
            if let stageId, !(try await Self.stageBelongs(connection, stageId, to: campaignId, logger: logger)) {
                // Not found, unless the membership itself does not exist: that is the 404 to give.
                guard
                    try await Self.find(connection, campaignId: campaignId, candidateId: candidateId, organizationId: organizationId, logger: logger)
                        != nil
                else {
                    return nil
                }
                throw Self.stageNotFound
            }
            // The row as it was, for the event's fromStageId; the update's own snapshot sees it.
            let rows = try await connection.query(
                """
                WITH before AS (
                    SELECT stage_id, status FROM campaign_candidates
                    WHERE campaign_id = \(campaignId) AND candidate_id = \(candidateId) AND organization_id = \(organizationId)
                )
                UPDATE campaign_candidates SET stage_id = coalesce(\(stageId), stage_id), status = coalesce(\(status?.rawValue), status),
                    updated_at = now()
                WHERE campaign_id = \(campaignId) AND candidate_id = \(candidateId) AND organization_id = \(organizationId)
                RETURNING \(unescaped: Self.columns), (SELECT stage_id FROM before) AS from_stage_id, (SELECT status FROM before) AS from_status
                """,
                logger: logger
            )
            guard let row = try await rows.collect().first else { return nil }
            let membership = try Self.membership(row)
            let cells = row.makeRandomAccess()
            let fromStage = try cells["from_stage_id"].decode(UUID?.self)
            let fromStatus = try cells["from_status"].decode(String.self)
            if fromStage != membership.stageId || fromStatus != membership.status.rawValue {
                try await CandidateMoved.announce(membership, from: fromStage, organizationId: organizationId, on: connection, logger: logger)
            }
            return membership
        }
    }

    /// Removes the candidate from the campaign; false if they were not in it.
    func remove(campaignId: UUID, candidateId: UUID, organizationId: UUID) async throws -> Bool {
        let rows = try await client.run(
            """
            DELETE FROM campaign_candidates
            WHERE campaign_id = \(campaignId) AND candidate_id = \(candidateId) AND organization_id = \(organizationId)
            RETURNING candidate_id
            """,
            logger: logger
        )
        return try await rows.collect().count == 1
    }

    /// The members of a campaign with their candidate's email and name, oldest first.
    func members(campaignId: UUID, organizationId: UUID) async throws -> [PipelineView.Member] {
        let rows = try await client.run(
            """
            SELECT m.campaign_id, m.candidate_id, m.stage_id, m.status, m.added_at, m.updated_at, c.email, c.first_name, c.last_name
            FROM campaign_candidates m JOIN candidates c ON c.id = m.candidate_id AND c.organization_id = m.organization_id
            WHERE m.campaign_id = \(campaignId) AND m.organization_id = \(organizationId)
            ORDER BY m.added_at, m.candidate_id
            """,
            logger: logger
        )
        return try await rows.collect().map { row in
            let membership = try Self.membership(row)
            let r = row.makeRandomAccess()
            return PipelineView.Member(
                membership,
                person: .init(
                    email: try r["email"].decode(String.self), firstName: try r["first_name"].decode(String?.self),
                    lastName: try r["last_name"].decode(String?.self)
                )
            )
        }
    }

    static func stageBelongs(_ connection: PostgresConnection, _ stageId: UUID, to campaignId: UUID, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT id FROM stages WHERE id = \(stageId) AND campaign_id = \(campaignId)", logger: logger)
        return try await rows.collect().count == 1
    }

    static func find(_ connection: PostgresConnection, campaignId: UUID, candidateId: UUID, organizationId: UUID, logger: Logger) async throws
        -> Membership?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: columns) FROM campaign_candidates
            WHERE campaign_id = \(campaignId) AND candidate_id = \(candidateId) AND organization_id = \(organizationId)
            """,
            logger: logger
        )
        return try await rows.collect().first.map(membership)
    }

    static func membership(_ row: PostgresRow) throws -> Membership {
        let r = row.makeRandomAccess()
        return Membership(
            campaignId: try r["campaign_id"].decode(UUID.self),
            candidateId: try r["candidate_id"].decode(UUID.self),
            stageId: try r["stage_id"].decode(UUID?.self),
            status: try r["status"].decodeEnum(Membership.Status.self),
            addedAt: try r["added_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
