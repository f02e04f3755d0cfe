import Foundation
import Hummingbird
import Shared

/// The result of a completed interview or test, as delivered by the interviews service and
/// kept whole: reading a report never needs another service.
struct Report: Sendable {
    enum Kind: String, CaseIterable, Codable, Sendable { case INTERVIEW, TEST }

    var id: UUID
    var type: Kind
    var interviewId: UUID?
    var assignmentId: UUID?
    var testId: UUID?
    var candidateId: UUID
    var jobId: UUID?
    var campaignId: UUID?
    var score: Int
    var passed: Bool?
    var recommendation: String?
    var summary: String?
    var strengths: [String]
    var weaknesses: [String]
    /// JSON arrays as delivered: `[{"name","score","comment"}]` and `[{"sequence","role","content","createdAt"}]`.
    var criteria: String
    var transcript: String
    var completedAt: Date
    var generatedAt: Date
}

/// A report as the API shows it.
struct ReportView: ResponseEncodable, Sendable {
    let id: String
    let type: String
    @Nullable var interviewId: String?
    @Nullable var assignmentId: String?
    @Nullable var testId: String?
    let candidateId: String
    @Nullable var jobId: String?
    @Nullable var campaignId: String?
    let score: Int
    @Nullable var passed: Bool?
    @Nullable var recommendation: String?
    @Nullable var summary: String?
    let strengths: [String]
    let weaknesses: [String]
    let criteria: [ReportEvent.Criterion]
    let transcript: [ReportEvent.Turn]
    let completedAt: Date
    let generatedAt: Date

    init(_ report: Report) {
        let decoder = ReportEvent.decoder
        id = report.id.apiString
        type = report.type.rawValue
        interviewId = report.interviewId?.apiString
        assignmentId = report.assignmentId?.apiString
        testId = report.testId?.apiString
        candidateId = report.candidateId.apiString
        jobId = report.jobId?.apiString
        campaignId = report.campaignId?.apiString
        score = report.score
        passed = report.passed
        recommendation = report.recommendation
        summary = report.summary
        strengths = report.strengths
        weaknesses = report.weaknesses
        criteria = (try? decoder.decode([ReportEvent.Criterion].self, from: Data(report.criteria.utf8))) ?? []
        transcript = (try? decoder.decode([ReportEvent.Turn].self, from: Data(report.transcript.utf8))) ?? []
        completedAt = report.completedAt
        generatedAt = report.generatedAt
    }
}

/// The `data` of a `report.created` webhook event: what the report says, without its transcript
/// (the receiver fetches the report for that).
struct ReportCreated: Encodable, Sendable {
    let id: String
    let type: String
    @Nullable var interviewId: String?
    @Nullable var assignmentId: String?
    let candidateId: String
    @Nullable var jobId: String?
    @Nullable var campaignId: String?
    let score: Int
    @Nullable var passed: Bool?
    @Nullable var recommendation: String?
    let generatedAt: Date

    init(id: UUID, event: ReportEvent, generatedAt: Date) {
        self.id = id.apiString
        type = event.type.rawValue
        interviewId = event.interviewId?.apiString
        assignmentId = event.assignmentId?.apiString
        candidateId = event.candidateId.apiString
        jobId = event.jobId?.apiString
        campaignId = event.campaignId?.apiString
        score = event.score
        passed = event.passed
        recommendation = event.recommendation
        self.generatedAt = generatedAt
    }
}
