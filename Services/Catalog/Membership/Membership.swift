import Foundation
import Hummingbird
import Shared

/// A candidate's place in a campaign: the stage they are at and how they stand.
struct Membership: Sendable, Equatable {
    enum Status: String, CaseIterable, Sendable { case ACTIVE, REJECTED, HIRED, WITHDRAWN }

    var campaignId: UUID
    var candidateId: UUID
    var stageId: UUID?
    var status: Status
    var addedAt: Date
    var updatedAt: Date
}

/// `POST /api/v1/campaigns/{id}/candidates`.
struct AddMember: Decodable, Sendable {
    let candidateId: UUID
    let stageId: UUID?
}

/// `PATCH /api/v1/campaigns/{id}/candidates/{candidateId}`: a move, a new status, or both.
struct MoveMember: Decodable, Sendable {
    var stageId: PatchField<UUID>
    var status: PatchField<String>

    /// The new stage (nil: unchanged) and status (nil: unchanged), validated.
    func validated() throws -> (stageId: UUID?, status: Membership.Status?) {
        var v = FieldValidator()
        if case .null = stageId { v.fail("stageId", "must not be null") }
        if case .null = status { v.fail("status", "must not be null") }
        if !stageId.isPresent, !status.isPresent { v.fail("stageId", "or status is required") }
        let status = v.oneOf(status.applied(to: nil), "status", as: Membership.Status.self)
        try v.check()
        return (stageId.applied(to: nil), status)
    }
}

/// A membership as the API shows it.
struct MembershipView: ResponseEncodable, Sendable {
    let campaignId: String
    let candidateId: String
    @Nullable var stageId: String?
    let status: String
    let addedAt: Date
    let updatedAt: Date

    init(_ membership: Membership) {
        campaignId = membership.campaignId.apiString
        candidateId = membership.candidateId.apiString
        stageId = membership.stageId?.apiString
        status = membership.status.rawValue
        addedAt = membership.addedAt
        updatedAt = membership.updatedAt
    }
}

/// `GET /api/v1/campaigns/{id}/pipeline`: each stage in order with the candidates in it.
struct PipelineView: ResponseEncodable, Sendable {
    struct Member: Encodable, Sendable {
        let candidateId: String
        let email: String
        @Nullable var firstName: String?
        @Nullable var lastName: String?
        let status: String
        let addedAt: Date
        let updatedAt: Date
        /// Kept for grouping by stage; not part of the answer.
        let stageId: UUID?

        enum CodingKeys: String, CodingKey { case candidateId, email, firstName, lastName, status, addedAt, updatedAt }

        init(_ membership: Membership, email: String, firstName: String?, lastName: String?) {
            candidateId = membership.candidateId.apiString
            self.email = email
            self.firstName = firstName
            self.lastName = lastName
            status = membership.status.rawValue
            addedAt = membership.addedAt
            updatedAt = membership.updatedAt
            stageId = membership.stageId
        }
    }

    struct StageColumn: Encodable, Sendable {
        let stage: StageView
        let candidates: [Member]
    }

    let campaignId: String
    let stages: [StageColumn]
    /// Members without a stage: those added while the campaign had none.
    let unassigned: [Member]
}
