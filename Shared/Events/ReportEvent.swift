import Foundation

/// "An interview or a test assignment was completed": what the interviews service's outbox
/// delivers to the reports service's `/internal/events`. It carries everything a report shows,
/// as it was at completion, so that reading a report never needs another service.
public struct ReportEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case INTERVIEW, TEST }

    public struct Criterion: Codable, Sendable, Equatable {
        public let name: String
        @Nullable public var score: Int?
        @Nullable public var comment: String?

        public init(name: String, score: Int?, comment: String?) {
            self.name = name
            self.score = score
            self.comment = comment
        }

        public static func == (lhs: Criterion, rhs: Criterion) -> Bool {
            lhs.name == rhs.name && lhs.score == rhs.score && lhs.comment == rhs.comment
        }
    }

    public struct Turn: Codable, Sendable, Equatable {
        public let sequence: Int
        public let role: String
        public let content: String
        public let createdAt: Date

        public init(sequence: Int, role: String, content: String, createdAt: Date) {
            self.sequence = sequence
            self.role = role
            self.content = content
            self.createdAt = createdAt
        }
    }

    /// The idempotency key: applying the same event twice makes one report.
    public let eventId: UUID
    public let type: Kind
    public let organizationId: UUID
    public let interviewId: UUID?
    public let assignmentId: UUID?
    public let testId: UUID?
    public let candidateId: UUID
    public let jobId: UUID?
    public let campaignId: UUID?
    public let score: Int
    public let passed: Bool?
    public let recommendation: String?
    public let summary: String?
    public let strengths: [String]
    public let weaknesses: [String]
    public let criteria: [Criterion]
    public let transcript: [Turn]
    public let completedAt: Date

    public init(
        eventId: UUID, type: Kind, organizationId: UUID, interviewId: UUID?, assignmentId: UUID?, testId: UUID?, candidateId: UUID,
        jobId: UUID?, campaignId: UUID?, score: Int, passed: Bool?, recommendation: String?, summary: String?, strengths: [String],
        weaknesses: [String], criteria: [Criterion], transcript: [Turn], completedAt: Date
    ) {
        self.eventId = eventId
        self.type = type
        self.organizationId = organizationId
        self.interviewId = interviewId
        self.assignmentId = assignmentId
        self.testId = testId
        self.candidateId = candidateId
        self.jobId = jobId
        self.campaignId = campaignId
        self.score = score
        self.passed = passed
        self.recommendation = recommendation
        self.summary = summary
        self.strengths = strengths
        self.weaknesses = weaknesses
        self.criteria = criteria
        self.transcript = transcript
        self.completedAt = completedAt
    }

    /// The JSON form both services use (ISO-8601 dates).
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
