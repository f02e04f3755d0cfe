import Foundation
import Hummingbird
import Logging
import PostgresNIO
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
    /// A candidate in the campaign, named by id. Their personal fields (email and names) are
    /// there only for a key that may also read candidates: `campaigns:read` alone shows where
    /// each candidate stands, not who they are.
    struct Member: Encodable, Sendable {
        struct Person: Sendable {
            let email: String
            let firstName: String?
            let lastName: String?
        }

        let candidateId: String
        let person: Person?
        let status: String
        let addedAt: Date
        let updatedAt: Date
        /// Kept for grouping by stage; not part of the answer.
        let stageId: UUID?

        enum CodingKeys: String, CodingKey { case candidateId, email, firstName, lastName, status, addedAt, updatedAt }

        init(_ membership: Membership, person: Person) {
            candidateId = membership.candidateId.apiString
            self.person = person
            status = membership.status.rawValue
            addedAt = membership.addedAt
            updatedAt = membership.updatedAt
            stageId = membership.stageId
        }

        init(_ member: Member, showingPerson: Bool) {
            candidateId = member.candidateId
            person = showingPerson ? member.person : nil
            status = member.status
            addedAt = member.addedAt
            updatedAt = member.updatedAt
            stageId = member.stageId
        }

        /// The personal fields are all there (names null when unknown) or all absent.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(candidateId, forKey: .candidateId)
            if let person {
                try container.encode(person.email, forKey: .email)
                try container.encode(person.firstName, forKey: .firstName)
                try container.encode(person.lastName, forKey: .lastName)
            }
            try container.encode(status, forKey: .status)
            try container.encode(addedAt, forKey: .addedAt)
            try container.encode(updatedAt, forKey: .updatedAt)
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

/// The `data` of a `campaign.candidate_moved` webhook event: a candidate entered a campaign, or
/// changed stage or status in it.
struct CandidateMoved: Encodable, Sendable {
    let campaignId: String
    let candidateId: String
    /// Null on entry.
    @Nullable var fromStageId: String?
    @Nullable var toStageId: String?
    let status: String

    /// Writes the event for `membership` (coming from `from`) in the transaction that changed it.
    static func announce(_ membership: Membership, from: UUID?, organizationId: UUID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        let data = CandidateMoved(
            campaignId: membership.campaignId.apiString, candidateId: membership.candidateId.apiString, fromStageId: from?.apiString,
            toStageId: membership.stageId?.apiString, status: membership.status.rawValue)
        try await WebhookEvents.append("campaign.candidate_moved", organizationId: organizationId, data: data, on: connection, logger: logger)
    }
}
