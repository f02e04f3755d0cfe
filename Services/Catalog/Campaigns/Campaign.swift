import Foundation
import Hummingbird
import Shared

/// A recruiting campaign for one job, with its stages (docs/api-guide.md, Catalog).
struct Campaign: Sendable, Equatable {
    enum Status: String, CaseIterable, Sendable { case DRAFT, ACTIVE, PAUSED, COMPLETED, ARCHIVED }

    var id: UUID
    var jobId: UUID
    var name: String
    var description: String?
    var status: Status
    var startDate: Date?
    var endDate: Date?
    var targetCount: Int?
    var agentId: UUID?
    var createdAt: Date
    var updatedAt: Date
}

/// The fields of a campaign as a client sends them, for POST (all) and PATCH (those present).
struct CampaignInput: ResourceInput {
    var name: PatchField<String>
    var jobId: PatchField<UUID>
    var description: PatchField<String>
    var status: PatchField<String>
    var startDate: PatchField<String>
    var endDate: PatchField<String>
    var targetCount: PatchField<Int>
    var agentId: PatchField<UUID>

    /// The campaign after applying these fields to `current` (a new one when nil), validated
    /// whole; an end before the start is 422 `INVALID_DATE_RANGE`.
    func apply(to current: Campaign?, id: UUID, now: Date) throws -> Campaign {
        var v = FieldValidator()
        let name = v.required(self.name.applied(to: current?.name), "name")
        let jobId = self.jobId.applied(to: current?.jobId)
        if jobId == nil { v.fail("jobId", "is required") }
        if case .null = status { v.fail("status", "must not be null") }
        let status = v.oneOf(self.status.applied(to: current?.status.rawValue), "status", as: Campaign.Status.self)
        let startDate = Self.date(self.startDate, current: current?.startDate, "startDate", &v)
        let endDate = Self.date(self.endDate, current: current?.endDate, "endDate", &v)
        let targetCount = targetCount.applied(to: current?.targetCount)
        v.range(targetCount, "targetCount", 0...1_000_000)
        let campaign = Campaign(
            id: current?.id ?? id,
            jobId: jobId ?? UUID(),
            name: name ?? "",
            description: v.optional(description.applied(to: current?.description), "description", max: 20_000),
            status: status ?? current?.status ?? .DRAFT,
            startDate: startDate,
            endDate: endDate,
            targetCount: targetCount,
            agentId: agentId.applied(to: current?.agentId),
            createdAt: current?.createdAt ?? now,
            updatedAt: now
        )
        try v.check()
        if let start = campaign.startDate, let end = campaign.endDate, end < start {
            throw APIError.unprocessable("INVALID_DATE_RANGE", "endDate must not be before startDate")
        }
        return campaign
    }

    private static func date(_ field: PatchField<String>, current: Date?, _ name: String, _ v: inout FieldValidator) -> Date? {
        switch field {
        case .absent: current
        case .null: nil
        case .value(let text): v.date(text, name)
        }
    }
}

/// A campaign as the API shows it; the detail view adds its stages in order.
struct CampaignView: ResponseEncodable, Sendable {
    let id: String
    let jobId: String
    let name: String
    @Nullable var description: String?
    let status: String
    /// Days, as they are sent (`2026-04-01`), not instants.
    @Nullable var startDate: String?
    @Nullable var endDate: String?
    @Nullable var targetCount: Int?
    @Nullable var agentId: String?
    let createdAt: Date
    let updatedAt: Date
    let stages: [StageView]?

    init(_ campaign: Campaign, stages: [Stage]? = nil) {
        id = campaign.id.apiString
        jobId = campaign.jobId.apiString
        name = campaign.name
        description = campaign.description
        status = campaign.status.rawValue
        startDate = campaign.startDate.map(ISODate.day)
        endDate = campaign.endDate.map(ISODate.day)
        targetCount = campaign.targetCount
        agentId = campaign.agentId?.apiString
        createdAt = campaign.createdAt
        updatedAt = campaign.updatedAt
        self.stages = stages?.map(StageView.init)
    }
}
