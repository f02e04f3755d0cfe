import Foundation
import Hummingbird
import Shared

/// A step of a campaign, at a dense 0-based position (docs/api-guide.md, Catalog).
struct Stage: Sendable, Equatable {
    enum Kind: String, CaseIterable, Sendable { case AI_INTERVIEW, TEST, AI_PREQUALIFICATION, HUMAN_REVIEW }

    var id: UUID
    var campaignId: UUID
    var name: String
    var type: Kind
    var position: Int
    var agentId: UUID?
    var testId: UUID?
    var passThreshold: Int?
    var createdAt: Date
    var updatedAt: Date
}

/// The fields of a stage as a client sends them, for POST (all) and PATCH (those present).
struct StageInput: Decodable, Sendable {
    var campaignId: PatchField<UUID>
    var name: PatchField<String>
    var type: PatchField<String>
    var position: PatchField<Int>
    var agentId: PatchField<UUID>
    var testId: PatchField<UUID>
    var passThreshold: PatchField<Int>

    /// The stage after applying these fields to `current` (a new one when nil), validated whole.
    /// Its position is the one asked for; the repository checks it against the campaign.
    func apply(to current: Stage?, id: UUID, now: Date) throws -> (stage: Stage, requestedPosition: Int?) {
        var v = FieldValidator()
        let campaignId = self.campaignId.applied(to: current?.campaignId)
        if campaignId == nil { v.fail("campaignId", "is required") }
        if let current, let asked = campaignId, asked != current.campaignId {
            throw APIError.unprocessable("STAGE_CAMPAIGN_IMMUTABLE", "A stage cannot move to another campaign; create one there instead")
        }
        let name = v.required(self.name.applied(to: current?.name), "name")
        if case .null = type { v.fail("type", "must not be null") }
        let kind = v.oneOf(type.applied(to: current?.type.rawValue), "type", as: Stage.Kind.self)
        if current == nil, !type.isPresent { v.fail("type", "is required") }
        var requested: Int?
        if case .value(let position) = position {
            v.range(position, "position", 0...10_000)
            requested = position
        }
        if case .null = position { v.fail("position", "must not be null") }
        let passThreshold = passThreshold.applied(to: current?.passThreshold)
        v.range(passThreshold, "passThreshold", 0...100)
        try v.check()
        let stage = Stage(
            id: current?.id ?? id,
            campaignId: campaignId!,
            name: name ?? "",
            type: kind ?? .AI_INTERVIEW,
            position: current?.position ?? 0,
            agentId: agentId.applied(to: current?.agentId),
            testId: testId.applied(to: current?.testId),
            passThreshold: passThreshold,
            createdAt: current?.createdAt ?? now,
            updatedAt: now
        )
        return (stage, requested)
    }
}

/// A stage as the API shows it.
struct StageView: ResponseEncodable, Sendable {
    let id: String
    let campaignId: String
    let name: String
    let type: String
    let position: Int
    @Nullable var agentId: String?
    @Nullable var testId: String?
    @Nullable var passThreshold: Int?
    let createdAt: Date
    let updatedAt: Date

    init(_ stage: Stage) {
        id = stage.id.apiString
        campaignId = stage.campaignId.apiString
        name = stage.name
        type = stage.type.rawValue
        position = stage.position
        agentId = stage.agentId?.apiString
        testId = stage.testId?.apiString
        passThreshold = stage.passThreshold
        createdAt = stage.createdAt
        updatedAt = stage.updatedAt
    }
}
