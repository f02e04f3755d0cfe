import Foundation
import Hummingbird
import Shared

/// `/api/v1/campaigns`: the organization's campaigns.
struct CampaignController: Sendable {
    let campaigns: CampaignRepository
    let stages: StageRepository
    let interviews: any InterviewsFactsSource

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/campaigns", .campaignsRead, use: list)
        routes.post("/api/v1/campaigns", .campaignsWrite, use: create)
        routes.get("/api/v1/campaigns/{id}", .campaignsRead, use: get)
        routes.patch("/api/v1/campaigns/{id}", .campaignsWrite, use: update)
        // Deleting a campaign deletes its stages and memberships.
        routes.deleteItem("/api/v1/campaigns/{id}", .campaignsWrite, from: campaigns, notFound: Self.notFound)
    }

    /// Newest first, filtered by `status` and `jobId`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<CampaignView> {
        let filters = CampaignRepository.Filters(
            status: try request.enumFilter("status", as: Campaign.Status.self), jobId: try request.uuidFilter("jobId"))
        let page = try PageRequest(from: request)
        let (items, total) = try await campaigns.list(organizationId: context.organizationId, filters: filters, page: page)
        return Page(data: items.map { CampaignView($0) }, request: page, total: total)
    }

    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<CampaignView> {
        let input = try await request.decodeJSON(as: CampaignInput.self, context: context)
        let campaign = try input.apply(to: nil, id: UUID(), now: Date())
        try await interviews.check(agentId: campaign.agentId, context: context)
        try await campaigns.create(campaign, organizationId: context.organizationId)
        return created(CampaignView(campaign, stages: []), at: "/api/v1/campaigns/\(campaign.id.apiString)")
    }

    /// Changes the fields sent; a new `agentId` must be an agent of the organization.
    @Sendable func update(_ request: Request, context: APIRequestContext) async throws -> CampaignView {
        let id = try context.parameters.uuid("id")
        let input = try await request.decodeJSON(as: CampaignInput.self, context: context)
        try await interviews.check(agentId: input.agentId.value, context: context)
        let now = Date()
        guard let campaign = try await campaigns.update(id: id, organizationId: context.organizationId, { try input.apply(to: $0, id: id, now: now) })
        else { throw Self.notFound }
        return CampaignView(campaign)
    }

    /// The campaign with its stages in order.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> CampaignView {
        let id = try context.parameters.uuid("id")
        let organizationId = context.organizationId
        guard let campaign = try await campaigns.find(id: id, organizationId: organizationId) else { throw Self.notFound }
        return CampaignView(campaign, stages: try await stages.all(campaignId: id, organizationId: organizationId))
    }

    static let notFound = APIError.notFound("Campaign not found")
}
