import PostgresNIO
import Synchronization

/// The transaction a request's work runs in when its caller opened one: an idempotent `POST`
/// claims its key, does its work and keeps its answer in one commit (docs/api-guide.md, "Safe retries").
/// Repositories need not know: `PostgresClient.run` and `PostgresClient.transaction` use it
/// when it is set (a nested `transaction` becomes a savepoint), the pool otherwise.
public enum RequestTransaction {
    /// The connection of the transaction in progress, for the task that opened it and its children.
    @TaskLocal public static var connection: PostgresConnection?
    /// What runs once that transaction has committed.
    @TaskLocal static var commitHooks: CommitHooks?

    /// Runs `work` once the request's transaction has committed, or at once when there is none:
    /// waking a worker that reads what the request wrote (before the commit it would find nothing).
    public static func afterCommit(_ work: @escaping @Sendable () -> Void) {
        if let hooks = commitHooks { hooks.add(work) } else { work() }
    }

    /// The work to run after a commit; dropped when the transaction is rolled back.
    final class CommitHooks: Sendable {
        private let hooks = Mutex<[@Sendable () -> Void]>([])

        func add(_ work: @escaping @Sendable () -> Void) { hooks.withLock { $0.append(work) } }

        /// Runs them, once.
        func run() {
            let pending = hooks.withLock { hooks in
                defer { hooks = [] }
                return hooks
            }
            for work in pending { work() }
        }
    }
}
