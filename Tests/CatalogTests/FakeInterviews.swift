import Foundation
import Shared
import Synchronization

@testable import Catalog

/// The interviews service's facts for router tests: the agents and tests each organization has
/// (added by the test), or no answer at all (the service unreachable: 503, as the real client).
final class FakeInterviews: InterviewsFactsSource {
    private struct State {
        var agents: Set<[UUID]> = []
        var tests: Set<[UUID]> = []
        var reachable = true
    }

    private let state = Mutex(State())

    /// An agent of `organizationId`; returns its id.
    @discardableResult
    func addAgent(organizationId: UUID, id: UUID = UUID()) -> UUID {
        state.withLock { _ = $0.agents.insert([organizationId, id]) }
        return id
    }

    /// A test of `organizationId`; returns its id.
    @discardableResult
    func addTest(organizationId: UUID, id: UUID = UUID()) -> UUID {
        state.withLock { _ = $0.tests.insert([organizationId, id]) }
        return id
    }

    /// Whether the service answers.
    func setReachable(_ reachable: Bool) {
        state.withLock { $0.reachable = reachable }
    }

    func facts(organizationId: UUID, agentId: UUID?, testId: UUID?, requestId: String) async throws -> InterviewsFacts {
        let state = self.state.withLock { $0 }
        guard state.reachable else {
            throw APIError.unavailable("The interviews service cannot be reached to check this request; retry shortly", retryAfter: 2)
        }
        return InterviewsFacts(
            agentExists: agentId.map { state.agents.contains([organizationId, $0]) },
            testExists: testId.map { state.tests.contains([organizationId, $0]) }
        )
    }
}
