import Foundation
import Hummingbird
import Shared

/// `/api/v1/interviews`: inviting candidates to AI interviews and following them.
struct InterviewController: Sendable {
    let interviews: InterviewRepository
    let agents: AgentRepository
    let catalog: any CatalogFactsSource

    /// The routes and the scope each needs.
    func addRoutes(to routes: ScopedRoutes) {
        routes.get("/api/v1/interviews", .interviewsRead, use: list)
        routes.post("/api/v1/interviews", .interviewsWrite, use: create)
        routes.get("/api/v1/interviews/{id}", .interviewsRead, use: get)
        routes.post("/api/v1/interviews/{id}/cancel", .interviewsWrite, use: cancel)
    }

    /// Newest first, filtered by `status`, `jobId`, `campaignId` and `candidateId`.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Page<InterviewView> {
        let filters = InterviewRepository.Filters(
            status: try request.enumFilter("status", as: Interview.Status.self), jobId: try request.uuidFilter("jobId"),
            campaignId: try request.uuidFilter("campaignId"), candidateId: try request.uuidFilter("candidateId")
        )
        let page = try PageRequest(from: request)
        let (items, total) = try await interviews.list(organizationId: context.organizationId, filters: filters, page: page)
        let now = Date()
        return Page(data: items.map { InterviewView($0, now: now) }, request: page, total: total)
    }

    /// Creates an interview after checking, in this order: the body, the expiry, the agent, then
    /// with the catalog the candidate, the job (and that it is not closed) and the campaign.
    @Sendable func create(_ request: Request, context: APIRequestContext) async throws -> EditedResponse<InterviewView> {
        let body = try await request.decodeJSON(as: InterviewInput.self, context: context)
        let organizationId = context.organizationId
        let now = Date()
        let expiresAt = try body.expiry(now: now)
        if let agentId = body.agentId, try await agents.find(id: agentId, organizationId: organizationId) == nil {
            throw APIError.unprocessable("AGENT_NOT_FOUND", "agentId does not name an agent of this organization")
        }
        let facts = try await catalog.facts(
            organizationId: organizationId, candidateId: body.candidateId, jobId: body.jobId, campaignId: body.campaignId,
            stageId: body.stageId, requestId: context.requestId
        )
        guard facts.candidateExists == true else {
            throw APIError.unprocessable("CANDIDATE_NOT_FOUND", "candidateId does not name a candidate of this organization")
        }
        guard facts.jobExists == true else { throw APIError.unprocessable("JOB_NOT_FOUND", "jobId does not name a job of this organization") }
        guard facts.jobStatus != "CLOSED" else { throw APIError.unprocessable("JOB_CLOSED", "This job is closed; reopen it to interview for it") }
        if body.campaignId != nil, facts.candidateInCampaign != true {
            throw APIError.unprocessable("CANDIDATE_NOT_IN_CAMPAIGN", "The candidate is not in this campaign; add them to it first")
        }
        if body.stageId != nil, facts.stageExists != true {
            throw APIError.unprocessable("STAGE_NOT_FOUND", "stageId does not name a stage of this organization")
        }
        let invite = body.sendInvite ?? true
        let interview = Interview(
            id: UUID(), organizationId: organizationId, candidateId: body.candidateId, jobId: body.jobId, campaignId: body.campaignId,
            stageId: body.stageId, agentId: body.agentId, storedStatus: invite ? .INVITED : .DRAFT, expiresAt: expiresAt,
            invitedAt: invite ? now : nil, startedAt: nil, completedAt: nil, cancelledAt: nil, evaluation: nil, createdAt: now, updatedAt: now
        )
        try await interviews.create(interview)
        return created(InterviewView(interview, transcript: []), at: "/api/v1/interviews/\(interview.id.apiString)")
    }

    /// The interview with its transcript and, once completed, its evaluation.
    @Sendable func get(_ request: Request, context: APIRequestContext) async throws -> InterviewView {
        let id = try context.parameters.uuid("id")
        guard let interview = try await interviews.find(id: id, organizationId: context.organizationId) else { throw Self.notFound }
        return InterviewView(interview, transcript: try await interviews.transcript(id: id))
    }

    /// Cancels a DRAFT or INVITED interview; a completed one is 409 `INTERVIEW_ALREADY_COMPLETED`.
    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> InterviewView {
        let id = try context.parameters.uuid("id")
        guard let interview = try await interviews.cancel(id: id, organizationId: context.organizationId) else { throw Self.notFound }
        return InterviewView(interview)
    }

    static let notFound = APIError.notFound("Interview not found")
}
