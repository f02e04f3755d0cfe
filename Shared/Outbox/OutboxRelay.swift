import Foundation
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle

/// Hands outbox events over to their destinations until each is acknowledged or parked
/// (docs/design/outbox.md). Each destination is relayed on its own, so one that is down holds
/// back none of the others.
///
/// - An event is marked delivered only after its destination answered 200, so a crash or
///   restart on either side means a delivery again, never a lost one; destinations apply each
///   event id once, so a repeat is harmless.
/// - Each event has its own next attempt: a failure that retrying may fix (5xx, 408, 429, no
///   answer) puts that event back with exponential backoff (0.5 s doubling to 5 minutes) and
///   the relay goes on with the others. While a destination is unreachable its relay also backs
///   off (up to 5 s), since every event would meet the same.
/// - A refusal that retrying cannot fix (a 4xx about the event: see `disposition`) parks the
///   event in `outbox_dead_letters` with the reason and its attempts, with a log line and the
///   `outbox_events_parked_total` metric; `<service> outbox redeliver` sends it again.
/// - `FOR UPDATE SKIP LOCKED` lets several replicas relay side by side without sending the
///   same event at the same time.
/// - It polls every `pollInterval` (100 ms by default) when idle: an event is handed over well
///   within a second.
/// - A batch that has not ended after `batchDeadline` (30 s) is abandoned and the relay goes on:
///   a query written as its connection closes (PostgreSQL restarting) can stay unanswered for
///   ever. Its events are locked only while its transaction lives, so the next batch takes
///   them once that connection is gone, and the others at once.
public struct OutboxRelay: Service {
    let postgres: PostgresClient
    let destinations: [any OutboxDestination]
    let pollInterval: Duration
    let batchDeadline: Duration
    let logger: Logger
    let delivered: Counter
    let retried: Counter
    let parked: Counter
    let abandoned: Counter

    static let batchSize = 20
    static let maxBackoff = Duration.seconds(5)
    /// The longest an event waits between two attempts.
    static let maxEventBackoffSeconds = 300.0

    public init(
        postgres: PostgresClient, destinations: [any OutboxDestination], pollInterval: Duration, batchDeadline: Duration = .seconds(30),
        metrics: ServiceMetrics, logger: Logger
    ) {
        self.postgres = postgres
        self.destinations = destinations
        self.pollInterval = pollInterval
        self.batchDeadline = batchDeadline
        self.logger = logger
        self.delivered = Counter(label: "outbox_events_delivered_total", factory: metrics.factory)
        self.retried = Counter(label: "outbox_delivery_retries_total", factory: metrics.factory)
        self.parked = Counter(label: "outbox_events_parked_total", factory: metrics.factory)
        self.abandoned = Counter(label: "outbox_batches_abandoned_total", factory: metrics.factory)
    }

    /// What to do with an event whose delivery failed.
    public enum Disposition: Equatable, Sendable {
        /// Park it: the destination refused it for good.
        case park(reason: String)
        /// Try it again later; `serviceDown` when no answer came at all.
        case retry(reason: String, serviceDown: Bool)
    }

    /// Sorts a delivery failure. A 4xx refuses the event itself and cannot be fixed by retrying,
    /// except 408 and 429 (try later) and 401, 403 and 404, which say this service's credentials
    /// or the destination's URL are wrong: every event would get them, and fixing the settings fixes them.
    public static func disposition(of error: any Error, destination: String) -> Disposition {
        let service = "the \(destination) service"
        let settings = destination.uppercased()
        switch error {
        case InternalCallFailure.unexpectedStatus(let status) where [401, 403, 404].contains(status):
            return .retry(reason: "\(service) answered \(status): check \(settings)_URL and \(settings)_CLIENT_SECRET", serviceDown: true)
        case InternalCallFailure.unexpectedStatus(let status) where (400..<500).contains(status) && status != 408 && status != 429:
            return .park(reason: "\(service) answered \(status)")
        case InternalCallFailure.unexpectedStatus(let status):
            return .retry(reason: "\(service) answered \(status)", serviceDown: false)
        case InternalCallFailure.unreachable(let why):
            return .retry(reason: "unreachable: \(why)", serviceDown: true)
        case InternalCallFailure.timedOut:
            return .retry(reason: "no answer in time", serviceDown: true)
        default:
            return .retry(reason: String(describing: error), serviceDown: false)
        }
    }

    /// The wait before an event's next attempt after `attempts` failed ones.
    public static func eventBackoff(afterAttempts attempts: Int) -> Double {
        min(0.5 * pow(2, Double(max(0, attempts - 1))), maxEventBackoffSeconds)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for destination in destinations {
                    group.addTask { await relay(to: destination) }
                }
            }
        }
    }

    /// One destination's loop, until cancelled.
    func relay(to destination: any OutboxDestination) async {
        var backoff = pollInterval
        // Until a first batch works, failing is expected: the migrations run beside it at start.
        var started = false
        while !Task.isCancelled {
            do {
                guard let outcome = try await withAbandoningDeadline(batchDeadline, { try await deliverBatch(to: destination) }) else {
                    if Task.isCancelled { break }
                    abandoned.increment()
                    logger.error(
                        "outbox batch did not end in time; abandoned, the relay goes on",
                        metadata: ["destination": "\(destination.name)", "deadline": "\(batchDeadline)"])
                    continue
                }
                started = true
                if outcome.serviceDown {
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, Self.maxBackoff)
                    continue
                }
                backoff = pollInterval
                if outcome.handled < Self.batchSize { try? await Task.sleep(for: pollInterval) }
            } catch {
                logger.log(
                    level: started ? .warning : .debug, "outbox relay failed; will retry",
                    metadata: ["destination": "\(destination.name)", "error": "\(String(describing: error))", "retry_in": "\(backoff)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, Self.maxBackoff)
            }
        }
    }

    /// Tries up to one batch of due events for `destination`; says how many it handled
    /// (delivered, parked or put back) and whether it stopped because the destination did not answer.
    public func deliverBatch(to destination: any OutboxDestination) async throws -> (handled: Int, serviceDown: Bool) {
        try await postgres.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id, payload::text, attempts FROM outbox_events
                WHERE destination = \(destination.name) AND delivered_at IS NULL AND next_attempt_at <= now()
                ORDER BY sequence LIMIT \(Self.batchSize) FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            )
            var handled = 0
            for (id, payload, attempts) in try await rows.collect().map({ try $0.decode((UUID, String, Int).self) }) {
                do {
                    try await destination.deliver(eventId: id, payload: payload)
                    try await connection.query("UPDATE outbox_events SET delivered_at = now() WHERE id = \(id)", logger: logger)
                    delivered.increment()
                } catch {
                    switch Self.disposition(of: error, destination: destination.name) {
                    case .park(let reason):
                        try await park(id: id, reason: reason, on: connection)
                        logger.error(
                            "outbox event parked",
                            metadata: [
                                "event_id": "\(id.apiString)", "destination": "\(destination.name)", "reason": "\(reason)",
                                "attempts": "\(attempts + 1)",
                            ])
                    case .retry(let reason, let serviceDown):
                        let wait = Self.eventBackoff(afterAttempts: attempts + 1)
                        try await connection.query(
                            """
                            UPDATE outbox_events SET attempts = attempts + 1, last_error = \(reason),
                                next_attempt_at = now() + make_interval(secs => \(wait))
                            WHERE id = \(id)
                            """,
                            logger: logger
                        )
                        retried.increment()
                        logger.warning(
                            "outbox delivery failed; event retried later",
                            metadata: [
                                "event_id": "\(id.apiString)", "destination": "\(destination.name)", "reason": "\(reason)",
                                "attempts": "\(attempts + 1)", "retry_in_s": "\(wait)",
                            ])
                        if serviceDown { return (handled + 1, true) }
                    }
                }
                handled += 1
            }
            return (handled, false)
        }
    }

    /// Moves an event to the dead letters, with why and how many attempts it had.
    func park(id: UUID, reason: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            WITH moved AS (DELETE FROM outbox_events WHERE id = \(id) RETURNING id, destination, sequence, payload, created_at, attempts)
            INSERT INTO outbox_dead_letters (id, destination, sequence, payload, created_at, attempts, reason)
            SELECT id, destination, sequence, payload, created_at, attempts + 1, \(reason) FROM moved
            """,
            logger: logger
        )
        parked.increment()
    }
}
