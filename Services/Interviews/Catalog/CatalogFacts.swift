import Foundation
import Shared

/// What the interviews service needs to know of the catalog's data (does this candidate exist,
/// what is this job's status, is the candidate in that campaign), never read from its tables.
protocol CatalogFactsSource: Sendable {
    /// The facts about the ids given (nil ids are not asked about); 503 `SERVICE_UNAVAILABLE`
    /// when the catalog cannot answer: that is never taken as a "no".
    func facts(organizationId: UUID, candidateId: UUID?, jobId: UUID?, campaignId: UUID?, stageId: UUID?, requestId: String) async throws
        -> CatalogFacts
}

extension CatalogFactsSource {
    /// The facts about the ids named.
    func facts(organizationId: UUID, candidateId: UUID? = nil, jobId: UUID? = nil, campaignId: UUID? = nil, stageId: UUID? = nil, requestId: String)
        async throws -> CatalogFacts
    {
        try await facts(
            organizationId: organizationId, candidateId: candidateId, jobId: jobId, campaignId: campaignId, stageId: stageId, requestId: requestId)
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
    let facts: InternalFacts

    init(client: InternalServiceClient) {
        facts = InternalFacts(client: client, service: "catalog")
    }

    func facts(organizationId: UUID, candidateId: UUID?, jobId: UUID?, campaignId: UUID?, stageId: UUID?, requestId: String) async throws
        -> CatalogFacts
    {
        try await facts.ask(
            CatalogFacts.self, organizationId: organizationId,
            ids: ["candidateId": candidateId, "jobId": jobId, "campaignId": campaignId, "stageId": stageId], requestId: requestId
        )
    }
}
