import Foundation
import Hummingbird
import Shared

/// A test candidates take (`/api/v1/tests`, docs/api-guide.md): `CandidateTest` in code, since a type
/// named `Test` would meet swift-testing's in every test file.
struct CandidateTest: Sendable, Equatable {
    enum Kind: String, CaseIterable, Sendable { case KNOWLEDGE, TECHNICAL, PERSONALITY, LOGIC }
    enum Difficulty: String, CaseIterable, Sendable { case BEGINNER, INTERMEDIATE, ADVANCED, EXPERT }

    var id: UUID
    var title: String
    var description: String?
    var type: Kind?
    var difficulty: Difficulty?
    var durationMinutes: Int?
    var skills: [String]
    var passingScore: Int?
    var isPublished: Bool
    var createdAt: Date
    var updatedAt: Date
}

/// The fields of a test as a client sends them, for POST (all) and PATCH (those present).
struct CandidateTestInput: ResourceInput {
    var title: PatchField<String>
    var description: PatchField<String>
    var type: PatchField<String>
    var difficulty: PatchField<String>
    var durationMinutes: PatchField<Int>
    var skills: PatchField<[String]>
    var passingScore: PatchField<Int>
    var isPublished: PatchField<Bool>

    func apply(to current: CandidateTest?, id: UUID, now: Date) throws -> CandidateTest {
        var v = FieldValidator()
        let title = v.required(self.title.applied(to: current?.title), "title")
        if isPublished.isNull { v.fail("isPublished", "must not be null") }
        let test = CandidateTest(
            id: current?.id ?? id, title: title ?? "",
            description: v.optional(description.applied(to: current?.description), "description", max: 20_000),
            type: v.oneOf(type.applied(to: current?.type?.rawValue), "type", as: CandidateTest.Kind.self),
            difficulty: v.oneOf(difficulty.applied(to: current?.difficulty?.rawValue), "difficulty", as: CandidateTest.Difficulty.self),
            durationMinutes: durationMinutes.applied(to: current?.durationMinutes),
            skills: v.strings(skills.applied(to: current?.skills), "skills"),
            passingScore: passingScore.applied(to: current?.passingScore),
            isPublished: isPublished.applied(to: current?.isPublished) ?? false,
            createdAt: current?.createdAt ?? now, updatedAt: now
        )
        v.range(test.durationMinutes, "durationMinutes", 1...600)
        v.range(test.passingScore, "passingScore", 0...100)
        try v.check()
        return test
    }
}

/// A test as the API shows it.
struct CandidateTestView: ResponseEncodable, Sendable {
    let id: String
    let title: String
    @Nullable var description: String?
    @Nullable var type: String?
    @Nullable var difficulty: String?
    @Nullable var durationMinutes: Int?
    let skills: [String]
    @Nullable var passingScore: Int?
    let isPublished: Bool
    let createdAt: Date
    let updatedAt: Date

    init(_ test: CandidateTest) {
        id = test.id.apiString
        title = test.title
        description = test.description
        type = test.type?.rawValue
        difficulty = test.difficulty?.rawValue
        durationMinutes = test.durationMinutes
        skills = test.skills
        passingScore = test.passingScore
        isPublished = test.isPublished
        createdAt = test.createdAt
        updatedAt = test.updatedAt
    }
}

/// A test given to a candidate.
struct Assignment: Sendable, Equatable {
    enum Status: String, CaseIterable, Sendable { case PENDING, INVITED, COMPLETED }

    var id: UUID
    var testId: UUID
    var candidateId: UUID
    var stageId: UUID?
    var status: Status
    var score: Int?
    var passed: Bool?
    var invitedAt: Date?
    var completedAt: Date?
    var createdAt: Date
}

/// `POST /api/v1/tests/{id}/assign`.
struct AssignInput: Decodable, Sendable {
    let candidateId: UUID
    let stageId: UUID?
    let sendInvite: Bool?
}

/// An assignment as the API shows it.
struct AssignmentView: ResponseEncodable, Sendable {
    let id: String
    let testId: String
    let candidateId: String
    @Nullable var stageId: String?
    let status: String
    @Nullable var score: Int?
    @Nullable var passed: Bool?
    @Nullable var invitedAt: Date?
    @Nullable var completedAt: Date?
    let createdAt: Date

    init(_ assignment: Assignment) {
        id = assignment.id.apiString
        testId = assignment.testId.apiString
        candidateId = assignment.candidateId.apiString
        stageId = assignment.stageId?.apiString
        status = assignment.status.rawValue
        score = assignment.score
        passed = assignment.passed
        invitedAt = assignment.invitedAt
        completedAt = assignment.completedAt
        createdAt = assignment.createdAt
    }
}
