import Foundation
import Shared
import TestSupport
import Testing

@testable import Interviews

@Suite("Stored interviews data is never reinterpreted")
struct InterviewsStoredDataTests {
    @Test func everyEnumColumnAcceptsOnlyItsValues() async throws {
        let harness = try await InterviewsHarness()
        try await harness.run { _ in
            let columns: [(String, String, [String])] = [
                ("agents", "provider", Agent.Provider.allCases.map(\.rawValue)),
                ("agents", "tone", Agent.Tone.allCases.map(\.rawValue)),
                ("tests", "type", CandidateTest.Kind.allCases.map(\.rawValue)),
                ("tests", "difficulty", CandidateTest.Difficulty.allCases.map(\.rawValue)),
                ("assignments", "status", Assignment.Status.allCases.map(\.rawValue)),
                ("interviews", "status", Interview.Status.allCases.map(\.rawValue)),
                ("interview_turns", "role", ["AGENT", "CANDIDATE"]),
            ]
            let unchecked = try await StoredEnumChecks.unchecked(harness.settings.service.databaseURL, columns)
            #expect(unchecked == [])
        }
    }
}
