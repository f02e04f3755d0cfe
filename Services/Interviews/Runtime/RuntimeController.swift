import Foundation
import Hummingbird
import Shared

/// The agent runtime's internal endpoints (docs/api-guide.md): it drives interviews and records test
/// results. Internal Basic credentials only; bodies are checked as strictly as the public API.
struct RuntimeController: Sendable {
    let interviews: InterviewRepository
    let tests: CandidateTestRepository

    /// Adds the four routes to the `/internal/` group.
    func addRoutes(to internalRoutes: RouterGroup<InternalRequestContext>) {
        internalRoutes.post("interviews/{id}/start", use: start)
        internalRoutes.post("interviews/{id}/turns", use: turn)
        internalRoutes.post("interviews/{id}/complete", use: complete)
        internalRoutes.post("assignments/{id}/complete", use: completeAssignment)
    }

    struct TurnInput: Decodable {
        let role: String
        let content: String
    }

    struct CompleteInput: Decodable {
        struct Criterion: Decodable {
            let name: String
            let score: Int?
            let comment: String?
        }

        let score: Int
        let recommendation: String?
        let summary: String?
        let strengths: [String]?
        let weaknesses: [String]?
        let criteria: [Criterion]?

        /// The evaluation, validated whole.
        func evaluation() throws -> Interview.Evaluation {
            var v = FieldValidator()
            v.range(score, "score", 0...100)
            typealias L = ReportEventLimits
            let recommendation = v.optional(recommendation, "recommendation", max: L.recommendationCharacters)
            let summary = v.optional(summary, "summary", max: L.summaryCharacters)
            let strengths = v.strings(strengths, "strengths", maxCount: L.listEntries, maxLength: L.listEntryCharacters)
            let weaknesses = v.strings(weaknesses, "weaknesses", maxCount: L.listEntries, maxLength: L.listEntryCharacters)
            if (criteria?.count ?? 0) > L.criteria { v.fail("criteria", "must have at most \(L.criteria) entries") }
            var checked: [Interview.Evaluation.Criterion] = []
            for (index, criterion) in (criteria ?? []).enumerated() {
                let name = v.required(criterion.name, "criteria[\(index)].name", max: L.criterionNameCharacters)
                v.range(criterion.score, "criteria[\(index)].score", 0...100)
                let comment = v.optional(criterion.comment, "criteria[\(index)].comment", max: L.criterionCommentCharacters)
                checked.append(.init(name: name ?? "", score: criterion.score, comment: comment))
            }
            try v.check()
            return Interview.Evaluation(
                score: score, recommendation: recommendation, summary: summary, strengths: strengths, weaknesses: weaknesses, criteria: checked
            )
        }
    }

    struct AssignmentResult: Decodable {
        let score: Int
    }

    struct TurnView: ResponseEncodable {
        let sequence: Int
        let role: String
        let content: String
        let createdAt: Date
    }

    /// INVITED → IN_PROGRESS; any other status is the 409 it calls for.
    @Sendable func start(_ request: Request, context: InternalRequestContext) async throws -> InterviewView {
        let id = try context.parameters.uuid("id")
        guard let interview = try await interviews.start(id: id) else { throw InterviewController.notFound }
        return InterviewView(interview)
    }

    /// Appends one turn of the conversation to an IN_PROGRESS interview; a transcript that would
    /// pass its bounds (`ReportEventLimits`) refuses it with 422 `TRANSCRIPT_FULL`.
    @Sendable func turn(_ request: Request, context: InternalRequestContext) async throws -> EditedResponse<TurnView> {
        let id = try context.parameters.uuid("id")
        let body = try await request.decodeJSON(as: TurnInput.self, context: context)
        var v = FieldValidator()
        if !["AGENT", "CANDIDATE"].contains(body.role) { v.fail("role", "must be AGENT or CANDIDATE") }
        let length = body.content.unicodeScalars.count
        if length == 0 || length > ReportEventLimits.turnCharacters {
            v.fail("content", "must be 1 to \(ReportEventLimits.turnCharacters) characters")
        }
        try v.check()
        guard let turn = try await interviews.addTurn(id: id, role: body.role, content: body.content) else { throw InterviewController.notFound }
        return EditedResponse(
            status: .created, headers: [:],
            response: TurnView(sequence: turn.sequence, role: turn.role, content: turn.content, createdAt: turn.createdAt)
        )
    }

    /// IN_PROGRESS → COMPLETED with the evaluation; of two concurrent completes one wins and
    /// the other gets 409 `INTERVIEW_ALREADY_COMPLETED`.
    @Sendable func complete(_ request: Request, context: InternalRequestContext) async throws -> InterviewView {
        let id = try context.parameters.uuid("id")
        let evaluation = try await request.decodeJSON(as: CompleteInput.self, context: context).evaluation()
        guard let interview = try await interviews.complete(id: id, evaluation: evaluation) else { throw InterviewController.notFound }
        return InterviewView(interview, transcript: try await interviews.transcript(id: id))
    }

    /// Records a test result once.
    @Sendable func completeAssignment(_ request: Request, context: InternalRequestContext) async throws -> AssignmentView {
        let id = try context.parameters.uuid("id")
        let body = try await request.decodeJSON(as: AssignmentResult.self, context: context)
        guard (0...100).contains(body.score) else { throw APIError.invalidField("score", "must be from 0 to 100") }
        guard let assignment = try await tests.complete(assignmentId: id, score: body.score) else {
            throw APIError.notFound("Assignment not found")
        }
        return AssignmentView(assignment)
    }
}
