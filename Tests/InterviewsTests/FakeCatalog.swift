import Foundation
import Shared
import Synchronization

@testable import Interviews

/// The catalog's facts in process: what a test put in it, per organization.
final class FakeCatalog: CatalogFactsSource, Sendable {
    struct State {
        var candidates: Set<[UUID]> = []
        var jobs: [[UUID]: String] = [:]
        var campaigns: Set<[UUID]> = []
        var members: Set<[UUID]> = []
        var stages: Set<[UUID]> = []
        var unavailable = false
    }

    private let state = Mutex(State())

    /// While true, every question fails as an unreachable catalog's would: 503.
    var isUnavailable: Bool {
        get { state.withLock { $0.unavailable } }
        set { state.withLock { $0.unavailable = newValue } }
    }

    /// A new candidate of `organization`.
    func addCandidate(_ organization: UUID) -> UUID {
        let id = UUID()
        state.withLock { _ = $0.candidates.insert([organization, id]) }
        return id
    }

    /// A new job of `organization` with `status`.
    func addJob(_ organization: UUID, status: String) -> UUID {
        let id = UUID()
        state.withLock { $0.jobs[[organization, id]] = status }
        return id
    }

    /// A new campaign of `organization` with these candidates in it.
    func addCampaign(_ organization: UUID, members: [UUID]) -> UUID {
        let id = UUID()
        state.withLock { state in
            state.campaigns.insert([organization, id])
            for member in members { state.members.insert([organization, id, member]) }
        }
        return id
    }

    func facts(organizationId: UUID, candidateId: UUID?, jobId: UUID?, campaignId: UUID?, stageId: UUID?, requestId: String) async throws
        -> CatalogFacts
    {
        try state.withLock { state in
            if state.unavailable { throw APIError.unavailable("The catalog cannot be reached to check this request; retry shortly", retryAfter: 2) }
            var facts = CatalogFacts()
            if let candidateId { facts.candidateExists = state.candidates.contains([organizationId, candidateId]) }
            if let jobId {
                facts.jobStatus = state.jobs[[organizationId, jobId]]
                facts.jobExists = facts.jobStatus != nil
            }
            if let campaignId {
                facts.campaignExists = state.campaigns.contains([organizationId, campaignId])
                if let candidateId { facts.candidateInCampaign = state.members.contains([organizationId, campaignId, candidateId]) }
            }
            if let stageId { facts.stageExists = state.stages.contains([organizationId, stageId]) }
            return facts
        }
    }
}
