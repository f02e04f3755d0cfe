import Foundation
import Shared

/// What the interviews service needs to know of the catalog's data, asked through the
/// catalog's `/internal/facts` endpoint (never its tables). When the catalog cannot answer,
/// the request that needed the facts fails with 503: it is never taken as a "no".
struct CatalogFacts: Sendable {
    let client: InternalServiceClient

    /// The facts about the ids given (nil ids are not asked about).
    struct Facts: Decodable, Sendable {
        var candidateExists: Bool?
        var jobStatus: String?
        var jobExists: Bool?
        var campaignExists: Bool?
        var candidateInCampaign: Bool?
        var stageExists: Bool?
    }

    /// Asks the catalog; 503 `SERVICE_UNAVAILABLE` when it cannot answer.
    func facts(organizationId: UUID, candidateId: UUID? = nil, jobId: UUID? = nil, campaignId: UUID? = nil, stageId: UUID? = nil, requestId: String) async throws -> Facts {
        var query = "organizationId=\(organizationId.apiString)"
        if let candidateId { query += "&candidateId=\(candidateId.apiString)" }
        if let jobId { query += "&jobId=\(jobId.apiString)" }
        if let campaignId { query += "&campaignId=\(campaignId.apiString)" }
        if let stageId { query += "&stageId=\(stageId.apiString)" }
        do {
            let data = try await client.send(.get, "/internal/facts?" + query, requestId: requestId)
            return try JSONDecoder().decode(Facts.self, from: data)
        } catch {
            throw APIError.unavailable("The catalog cannot be reached to check this request; retry shortly", retryAfter: 2)
        }
    }
}
