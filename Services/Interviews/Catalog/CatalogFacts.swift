import Foundation
import Shared

/// What the interviews service needs to know of the catalog's data (does this candidate exist,
/// what is this job's status, is the candidate in that campaign), never read from its tables.
protocol CatalogFactsSource: Sendable {
    /// The facts about the ids given (nil ids are not asked about); 503 `SERVICE_UNAVAILABLE`
    /// when the catalog cannot answer: that is never taken as a "no".
    func facts(organizationId: UUID, candidateId: UUID?, jobId: UUID?, campaignId: UUID?, stageId: UUID?, requestId: String) async throws -> CatalogFacts
}

extension CatalogFactsSource {
    /// The facts about the ids named.
    func facts(organizationId: UUID, candidateId: UUID? = nil, jobId: UUID? = nil, campaignId: UUID? = nil, stageId: UUID? = nil, requestId: String) async throws -> CatalogFacts {
        try await facts(organizationId: organizationId, candidateId: candidateId, jobId: jobId, campaignId: campaignId, stageId: stageId, requestId: requestId)
    }
}

/// The catalog's answer: a field per id asked about.
struct CatalogFacts: Decodable, Sendable, Equatable {
    var candidateExists: Bool?
    var jobStatus: String?
    var jobExists: Bool?
    var campaignExists: Bool?
    var candidateInCampaign: Bool?
    var stageExists: Bool?
}

/// `CatalogFactsSource` over HTTP: the catalog's `GET /internal/facts`.
struct HTTPCatalogFacts: CatalogFactsSource {
    let client: InternalServiceClient

    func facts(organizationId: UUID, candidateId: UUID?, jobId: UUID?, campaignId: UUID?, stageId: UUID?, requestId: String) async throws -> CatalogFacts {
        var query = "organizationId=\(organizationId.apiString)"
        if let candidateId { query += "&candidateId=\(candidateId.apiString)" }
        if let jobId { query += "&jobId=\(jobId.apiString)" }
        if let campaignId { query += "&campaignId=\(campaignId.apiString)" }
        if let stageId { query += "&stageId=\(stageId.apiString)" }
        do {
            let data = try await client.send(.get, "/internal/facts?" + query, requestId: requestId)
            return try JSONDecoder().decode(CatalogFacts.self, from: data)
        } catch {
            throw APIError.unavailable("The catalog cannot be reached to check this request; retry shortly", retryAfter: 2)
        }
    }
}
