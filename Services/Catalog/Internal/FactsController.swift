import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `GET /internal/facts`: what other services may ask the catalog about an organization's data
/// (does this candidate exist, what is this job's status, is the candidate in that campaign),
/// so that they never read the catalog's tables. Internal credentials only.
struct FactsController: Sendable {
    let postgres: PostgresClient
    let logger: Logger

    /// Adds the route.
    func addRoutes(to internalRoutes: RouterGroup<InternalRequestContext>) {
        internalRoutes.facts(facts)
    }

    /// The answer: a field per id asked about, absent for ids not asked about.
    struct Facts: ResponseEncodable, Sendable {
        var candidateExists: Bool?
        /// The job's status, or null when the organization has no such job.
        @Nullable var jobStatus: String?
        var jobExists: Bool?
        var campaignExists: Bool?
        var candidateInCampaign: Bool?
        var stageExists: Bool?
    }

    @Sendable func facts(organizationId: UUID, request: Request) async throws -> Facts {
        let candidateId = try request.uuidFilter("candidateId")
        let jobId = try request.uuidFilter("jobId")
        let campaignId = try request.uuidFilter("campaignId")
        let stageId = try request.uuidFilter("stageId")
        let rows = try await postgres.query(
            """
            SELECT
              EXISTS (SELECT 1 FROM candidates WHERE organization_id = \(organizationId) AND id = \(candidateId)) AS candidate_exists,
              (SELECT status FROM jobs WHERE organization_id = \(organizationId) AND id = \(jobId)) AS job_status,
              EXISTS (SELECT 1 FROM campaigns WHERE organization_id = \(organizationId) AND id = \(campaignId)) AS campaign_exists,
              EXISTS (SELECT 1 FROM campaign_candidates
                      WHERE organization_id = \(organizationId) AND campaign_id = \(campaignId) AND candidate_id = \(candidateId)) AS member,
              EXISTS (SELECT 1 FROM stages WHERE organization_id = \(organizationId) AND id = \(stageId)) AS stage_exists
            """,
            logger: logger
        )
        guard let row = try await rows.collect().first else { throw APIError.internalError }
        let r = row.makeRandomAccess()
        let jobStatus = try r["job_status"].decode(String?.self)
        var facts = Facts()
        if candidateId != nil { facts.candidateExists = try r["candidate_exists"].decode(Bool.self) }
        if jobId != nil {
            facts.jobExists = jobStatus != nil
            facts.jobStatus = jobStatus
        }
        if campaignId != nil {
            facts.campaignExists = try r["campaign_exists"].decode(Bool.self)
            if candidateId != nil { facts.candidateInCampaign = try r["member"].decode(Bool.self) }
        }
        if stageId != nil { facts.stageExists = try r["stage_exists"].decode(Bool.self) }
        return facts
    }
}
