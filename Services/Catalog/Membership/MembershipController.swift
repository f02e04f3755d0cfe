import Foundation
import Hummingbird
import Shared

/// Candidates in a campaign: add, move, remove, and the pipeline view (scopes `campaigns:*`).
struct MembershipController: Sendable {
    let memberships: MembershipRepository
    let campaigns: CampaignRepository
    let stages: StageRepository

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/campaigns/{id}/pipeline", .campaignsRead, use: pipeline)
        routes.post("/api/v1/campaigns/{id}/candidates", .campaignsWrite, use: add)
        routes.patch("/api/v1/campaigns/{id}/candidates/{candidateId}", .campaignsWrite, use: move)
        routes.delete("/api/v1/campaigns/{id}/candidates/{candidateId}", .campaignsWrite, use: remove)
    }

    /// Each stage in order with its candidates, and those without a stage; who each candidate is
    /// only for a key that also holds `candidates:read`.
    @Sendable func pipeline(_ request: Request, context: APIRequestContext) async throws -> PipelineView {
        let id = try context.parameters.uuid("id")
        let organizationId = context.organizationId
        guard try await campaigns.find(id: id, organizationId: organizationId) != nil else { throw CampaignController.notFound }
        let stageList = try await stages.all(campaignId: id, organizationId: organizationId)
        let showingPeople = context.key.scopes.contains(.candidatesRead)
        let members = try await memberships.members(campaignId: id, organizationId: organizationId).map {
            PipelineView.Member($0, showingPerson: showingPeople)
        }
        return PipelineView(
            campaignId: id.apiString,
            stages: stageList.map { stage in
                PipelineView.StageColumn(stage: StageView(stage), candidates: members.filter { $0.stageId == stage.id })
            },
            unassigned: members.filter { $0.stageId == nil }
        )
    }

    /// Adds a candidate, at the first stage unless `stageId` says otherwise.
    @Sendable func add(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<MembershipView> {
        let id = try context.parameters.uuid("id")
        let body = try await request.decodeJSON(as: AddMember.self, context: context)
        guard
            let membership = try await memberships.add(
                campaignId: id, candidateId: body.candidateId, stageId: body.stageId, organizationId: context.organizationId
            )
        else { throw CampaignController.notFound }
        return created(MembershipView(membership), at: "/api/v1/campaigns/\(id.apiString)/candidates/\(body.candidateId.apiString)")
    }

    /// Moves a candidate to another stage of the campaign and/or changes their status.
    @Sendable func move(_ request: Request, context: APIRequestContext) async throws -> MembershipView {
        let id = try context.parameters.uuid("id")
        let candidateId = try context.parameters.uuid("candidateId")
        let (stageId, status) = try await request.decodeJSON(as: MoveMember.self, context: context).validated()
        guard
            let membership = try await memberships.move(
                campaignId: id, candidateId: candidateId, stageId: stageId, status: status, organizationId: context.organizationId
            )
        else { throw Self.notMember }
        return MembershipView(membership)
    }

    /// Takes a candidate out of the campaign.
    @Sendable func remove(_ request: Request, context: APIRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.uuid("id")
        let candidateId = try context.parameters.uuid("candidateId")
        guard try await memberships.remove(campaignId: id, candidateId: candidateId, organizationId: context.organizationId) else {
            throw Self.notMember
        }
        return .noContent
    }

    static let notMember = APIError.notFound("This candidate is not in this campaign")
}
