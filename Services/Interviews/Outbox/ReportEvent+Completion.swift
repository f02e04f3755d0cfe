import Foundation
import Shared

extension ReportEvent {
    /// The event announcing a completed interview, with its evaluation and transcript.
    init(interview: Interview, evaluation: Interview.Evaluation, transcript: [Interview.Turn]) {
        self.init(
            eventId: UUID(), type: .INTERVIEW, organizationId: interview.organizationId, interviewId: interview.id, assignmentId: nil,
            testId: nil, candidateId: interview.candidateId, jobId: interview.jobId, campaignId: interview.campaignId,
            score: evaluation.score, passed: nil, recommendation: evaluation.recommendation, summary: evaluation.summary,
            strengths: evaluation.strengths, weaknesses: evaluation.weaknesses,
            criteria: evaluation.criteria.map { Criterion(name: $0.name, score: $0.score, comment: $0.comment) },
            transcript: transcript.map { Turn(sequence: $0.sequence, role: $0.role, content: $0.content, createdAt: $0.createdAt) },
            completedAt: interview.completedAt ?? Date()
        )
    }

    /// The event announcing a completed test assignment.
    init(assignment: Assignment, organizationId: UUID) {
        self.init(
            eventId: UUID(), type: .TEST, organizationId: organizationId, interviewId: nil, assignmentId: assignment.id,
            testId: assignment.testId, candidateId: assignment.candidateId, jobId: nil, campaignId: nil, score: assignment.score ?? 0,
            passed: assignment.passed, recommendation: nil, summary: nil, strengths: [], weaknesses: [], criteria: [], transcript: [],
            completedAt: assignment.completedAt ?? Date()
        )
    }
}
