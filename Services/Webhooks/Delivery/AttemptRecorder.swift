import Logging
import ServiceLifecycle
import Synchronization

/// Writes what attempts came to, many in one statement (docs/design/webhooks.md, "Delivery"):
/// a commit per attempt bounded deliveries at about 740 a second on two cores; a batch per
/// flush lets one commit carry every attempt that ended meanwhile. An attempt's lane is free as
/// soon as it ends: its message stays leased until its record is written, so a record lost with
/// the process means one more attempt, never a lost message. On SIGTERM it stops after the
/// dispatcher and writes what is left.
final class AttemptRecorder: Service, Sendable {
    static let largestBatch = 500

    let queue: MessageQueue
    let logger: Logger
    private let pending = Mutex<[(outcome: AttemptOutcome, message: ClaimedMessage)]>([])
    private let doorbell = Doorbell()

    init(queue: MessageQueue, logger: Logger) {
        self.queue = queue
        self.logger = logger
    }

    /// Keeps an attempt's outcome for the next flush.
    func add(_ outcome: AttemptOutcome, for message: ClaimedMessage) {
        pending.withLock { $0.append((outcome, message)) }
        doorbell.ring()
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await doorbell.wait(upTo: .milliseconds(200))
            await flush()
        }
        // The dispatcher, which stops first, has finished its attempts: write them all.
        while pending.withLock({ !$0.isEmpty }) { await flush() }
    }

    /// Writes up to `largestBatch` outcomes waiting; a failure drops them (with a log line): their
    /// messages are attempted again when their lease ends.
    func flush() async {
        let batch = pending.withLock { pending -> [(outcome: AttemptOutcome, message: ClaimedMessage)] in
            let taken = Array(pending.prefix(Self.largestBatch))
            pending.removeFirst(taken.count)
            return taken
        }
        guard !batch.isEmpty else { return }
        do {
            try await queue.record(batch)
        } catch {
            logger.warning(
                "could not record webhook attempts; their messages will be attempted again",
                metadata: ["attempts": "\(batch.count)", "error": "\(String(reflecting: error))"])
        }
        if pending.withLock({ !$0.isEmpty }) { doorbell.ring() }
    }
}
