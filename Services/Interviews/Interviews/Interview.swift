import Foundation
import Hummingbird
import Shared

/// An AI interview of a candidate for a job (docs/api-guide.md, Interviews).
struct Interview: Sendable {
    enum Status: String, CaseIterable, Sendable { case DRAFT, INVITED, IN_PROGRESS, COMPLETED, CANCELLED, EXPIRED }

    /// What the runtime writes when an interview ends.
    struct Evaluation: Codable, Sendable, Equatable {
        struct Criterion: Codable, Sendable, Equatable {
            let name: String
            let score: Int?
            let comment: String?
        }

        let score: Int
        let recommendation: String?
        let summary: String?
        let strengths: [String]
        let weaknesses: [String]
        let criteria: [Criterion]
    }

    struct Turn: Sendable, Equatable {
        let sequence: Int
        let role: String
        let content: String
        let createdAt: Date
    }

    var id: UUID
    var organizationId: UUID
    var candidateId: UUID
    var jobId: UUID
    var campaignId: UUID?
    var stageId: UUID?
    var agentId: UUID?
    /// As stored; `status(at:)` is what clients see.
    var storedStatus: Status
    var expiresAt: Date
    var invitedAt: Date?
    var startedAt: Date?
    var completedAt: Date?
    var cancelledAt: Date?
    var evaluation: Evaluation?
    var createdAt: Date
    var updatedAt: Date

    /// An INVITED interview whose `expiresAt` has passed reads as EXPIRED.
    func status(at now: Date = Date()) -> Status {
        storedStatus == .INVITED && expiresAt <= now ? .EXPIRED : storedStatus
    }

    /// The 409 for a transition the interview's status does not allow.
    static func conflict(for status: Status) -> APIError {
        switch status {
        case .COMPLETED: APIError.conflict("INTERVIEW_ALREADY_COMPLETED", "This interview is already completed")
        case .CANCELLED: APIError.conflict("INTERVIEW_CANCELLED", "This interview was cancelled")
        case .EXPIRED: APIError.conflict("INTERVIEW_EXPIRED", "This interview expired before it started")
        case .IN_PROGRESS: APIError.conflict("INTERVIEW_IN_PROGRESS", "This interview is in progress")
        case .DRAFT: APIError.conflict("INTERVIEW_NOT_INVITED", "This interview is a draft; the candidate was not invited")
        case .INVITED: APIError.conflict("INTERVIEW_NOT_STARTED", "This interview has not started")
        }
    }
}

/// `POST /api/v1/interviews`.
struct InterviewInput: Decodable, Sendable {
    let candidateId: UUID
    let jobId: UUID
    let campaignId: UUID?
    let stageId: UUID?
    let agentId: UUID?
    let expiresAt: String?
    let sendInvite: Bool?

    /// The expiry: 7 days ahead by default (null or absent). A string that is not a date-time,
    /// blank included, is 400 as the document's `format` says; a date-time that is not in the
    /// future, or more than a year ahead, is 422 `INVALID_EXPIRY` (a rule no schema can state).
    func expiry(now: Date) throws -> Date {
        guard let expiresAt else { return now.addingTimeInterval(7 * 24 * 3600) }
        var v = FieldValidator()
        let date = v.date(expiresAt, "expiresAt", blankAllowed: false)
        try v.check()
        guard let date, date > now else { throw APIError.unprocessable("INVALID_EXPIRY", "expiresAt must be in the future") }
        guard date < now.addingTimeInterval(366 * 24 * 3600) else {
            throw APIError.unprocessable("INVALID_EXPIRY", "expiresAt must be within a year")
        }
        return date
    }
}

/// An interview as the API shows it; the detail view adds the transcript and, once completed,
/// the evaluation.
struct InterviewView: ResponseEncodable, Sendable {
    struct TurnView: Encodable, Sendable {
        let sequence: Int
        let role: String
        let content: String
        let createdAt: Date
    }

    /// Everything but the evaluation and the transcript: also the `data` of interview webhook events.
    struct Summary: Encodable, Sendable {
        let id: String
        let candidateId: String
        let jobId: String
        @Nullable var campaignId: String?
        @Nullable var stageId: String?
        @Nullable var agentId: String?
        let status: String
        let expiresAt: Date
        @Nullable var invitedAt: Date?
        @Nullable var startedAt: Date?
        @Nullable var completedAt: Date?
        @Nullable var cancelledAt: Date?
        let createdAt: Date
        let updatedAt: Date

        init(_ interview: Interview, now: Date = Date()) {
            id = interview.id.apiString
            candidateId = interview.candidateId.apiString
            jobId = interview.jobId.apiString
            campaignId = interview.campaignId?.apiString
            stageId = interview.stageId?.apiString
            agentId = interview.agentId?.apiString
            status = interview.status(at: now).rawValue
            expiresAt = interview.expiresAt
            invitedAt = interview.invitedAt
            startedAt = interview.startedAt
            completedAt = interview.completedAt
            cancelledAt = interview.cancelledAt
            createdAt = interview.createdAt
            updatedAt = interview.updatedAt
        }
    }

    let summary: Summary
    @Nullable var evaluation: Interview.Evaluation?
    let transcript: [TurnView]?

    init(_ interview: Interview, transcript: [Interview.Turn]? = nil, now: Date = Date()) {
        summary = Summary(interview, now: now)
        evaluation = interview.storedStatus == .COMPLETED ? interview.evaluation : nil
        self.transcript = transcript?.map { TurnView(sequence: $0.sequence, role: $0.role, content: $0.content, createdAt: $0.createdAt) }
    }

    enum CodingKeys: String, CodingKey { case evaluation, transcript }

    /// The summary's fields, then the evaluation (null until completed) and the transcript when there is one.
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(_evaluation, forKey: .evaluation)
        try container.encodeIfPresent(transcript, forKey: .transcript)
    }
}
