import Foundation
import HummingbirdBcrypt
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle
import Shared

/// Runs bcrypt for console sign-ins (and password changes) where it cannot starve introspection (docs/design/hostile-clients.md): on a
/// thread pool of its own (`PASSWORD_CHECK_THREADS`, default 1: on two cores, one is always
/// left to the event loops), with at most `queueLimit` checks waiting for it
/// (`PASSWORD_CHECK_QUEUE`, default 8). A check beyond that is refused at once with 503 and
/// `Retry-After`, instead of queueing bcrypt work ahead of everything else. (Its threads are
/// not given a lower priority: on Linux a thread's nice value passes to the threads it
/// starts, and the concurrency runtime may start its workers from any thread.)
final class PasswordChecker: Service, Sendable {
    let pool: NIOThreadPool
    let capacity: Int
    let inFlight = NIOLockedValueBox(0)

    init(threads: Int, queueLimit: Int) {
        self.pool = NIOThreadPool(numberOfThreads: threads)
        self.capacity = threads + queueLimit
        pool.start()
    }

    /// Whether a check now would be refused: then a sign-in is 503 before it costs anything more.
    var isFull: Bool { inFlight.withLockedValue { $0 >= capacity } }

    static let busy = APIError.unavailable("Too many sign-ins are being checked right now; retry in a moment", retryAfter: 1)

    /// Whether `password` matches `hash`; throws `busy` when the pool and its queue are full.
    func verify(_ password: String, hash: String) async throws -> Bool {
        try await run { Bcrypt.verify(password, hash: hash) }
    }

    /// A new bcrypt hash of `password` (a password set or changed), on the same bounded pool.
    func hash(_ password: String, cost: Int) async throws -> String {
        try await run { Bcrypt.hash(password, cost: UInt8(cost)) }
    }

    private func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result {
        let admitted = inFlight.withLockedValue { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admitted else { throw Self.busy }
        defer { inFlight.withLockedValue { $0 -= 1 } }
        return try await pool.runIfActive(work)
    }

    /// Keeps the pool until shutdown, then stops its threads.
    func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
