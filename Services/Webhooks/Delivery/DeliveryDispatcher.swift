import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Shared
import Synchronization

/// Sends due messages until the service stops (docs/design/webhooks.md, "Delivery").
///
/// - It claims due messages whenever there is room and either the doorbell rang (an event came
///   in, an attempt ended) or `pollInterval` passed (work of another replica, retries come due).
/// - **Isolation**: at most `perEndpoint` attempts to one endpoint and `perOrganization` for one
///   organization run at once, of `total`. An endpoint that hangs holds only its own lane for at
///   most 15 s an attempt; claims take organizations in turn, so one organization's burst waits
///   behind itself, not in front of the others.
/// - **Never lost**: a claim is a lease; a process that dies mid-attempt leaves the message due
///   again when the lease ends. On SIGTERM it stops claiming and lets attempts under way finish.
struct DeliveryDispatcher: Service {
    struct Limits: Sendable {
        var total = 256
        var perEndpoint = 16
        var perOrganization = 64
        var pollInterval = Duration.milliseconds(250)
        /// Longer than an attempt can last (15 s) with room to record it.
        var lease = Duration.seconds(60)
        /// How long a claim or a read of secrets may take before it is abandoned and the loop goes
        /// on (a query can be lost as its connection closes: `withAbandoningDeadline`).
        var queryDeadline = Duration.seconds(10)
    }

    let queue: MessageQueue
    let endpoints: EndpointRepository
    let sender: WebhookSender
    let recorder: AttemptRecorder
    let doorbell: Doorbell
    let limits: Limits
    let logger: Logger
    let attempts: Counter
    let failures: Counter

    init(
        queue: MessageQueue, endpoints: EndpointRepository, sender: WebhookSender, recorder: AttemptRecorder, doorbell: Doorbell, limits: Limits,
        metrics: ServiceMetrics, logger: Logger
    ) {
        self.queue = queue
        self.recorder = recorder
        self.endpoints = endpoints
        self.sender = sender
        self.doorbell = doorbell
        self.limits = limits
        self.logger = logger
        self.attempts = Counter(label: "webhook_attempts_total", factory: metrics.factory)
        self.failures = Counter(label: "webhook_attempts_failed_total", factory: metrics.factory)
    }

    /// Attempts under way, by endpoint and by organization.
    final class Lanes: Sendable {
        private struct Counts {
            var total = 0
            var endpoints: [UUID: Int] = [:]
            var organizations: [UUID: Int] = [:]
        }
        private let counts = Mutex(Counts())

        func room(_ limits: Limits) -> MessageQueue.Room {
            counts.withLock { counts in
                MessageQueue.Room(
                    total: limits.total - counts.total, perEndpoint: limits.perEndpoint, perOrganization: limits.perOrganization,
                    busyEndpoints: counts.endpoints.map { ($0.key, max(0, limits.perEndpoint - $0.value)) },
                    busyOrganizations: counts.organizations.map { ($0.key, max(0, limits.perOrganization - $0.value)) })
            }
        }

        func take(_ message: ClaimedMessage) {
            counts.withLock { counts in
                counts.total += 1
                counts.endpoints[message.endpointId, default: 0] += 1
                counts.organizations[message.organizationId, default: 0] += 1
            }
        }

        func release(_ message: ClaimedMessage) {
            counts.withLock { counts in
                counts.total -= 1
                counts.endpoints[message.endpointId, default: 1] -= 1
                if counts.endpoints[message.endpointId] == 0 { counts.endpoints[message.endpointId] = nil }
                counts.organizations[message.organizationId, default: 1] -= 1
                if counts.organizations[message.organizationId] == 0 { counts.organizations[message.organizationId] = nil }
            }
        }

        var inFlight: Int { counts.withLock { $0.total } }
    }

    func run() async throws {
        let lanes = Lanes()
        await withDiscardingTaskGroup { group in
            var backoff = limits.pollInterval
            // Until the first claim works, failing is expected: the migrations run beside it at start.
            var started = false
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let room = lanes.room(limits)
                var claimed: [ClaimedMessage] = []
                do {
                    guard let got = try await withAbandoningDeadline(limits.queryDeadline, { try await queue.claim(room: room, lease: limits.lease) })
                    else {
                        // Whatever it claimed is due again when its lease ends.
                        logger.error("claiming webhook messages did not end in time; abandoned", metadata: ["deadline": "\(limits.queryDeadline)"])
                        continue
                    }
                    claimed = got
                    backoff = limits.pollInterval
                    started = true
                } catch {
                    logger.log(
                        level: started ? .warning : .debug, "could not claim webhook messages; will retry",
                        metadata: ["error": "\(String(reflecting: error))"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(5))
                    continue
                }
                if !claimed.isEmpty {
                    let endpointIds = Array(Set(claimed.map(\.endpointId)))
                    // None read: each attempt fails for want of a secret and is retried later.
                    let secrets =
                        (try? await withAbandoningDeadline(limits.queryDeadline, { try await endpoints.liveSecrets(endpointIds: endpointIds) }))
                        ?? [:]
                    for message in claimed {
                        lanes.take(message)
                        group.addTask {
                            await deliver(message, secrets: secrets[message.endpointId] ?? [])
                            lanes.release(message)
                            doorbell.ring()
                        }
                    }
                }
                // A full claim means more may be due: go again at once; otherwise wait for a reason to.
                if claimed.isEmpty || claimed.count < room.total {
                    await doorbell.wait(upTo: limits.pollInterval)
                }
            }
            if lanes.inFlight > 0 { logger.info("webhooks: letting attempts under way finish", metadata: ["attempts": "\(lanes.inFlight)"]) }
        }
    }

    /// One attempt, its outcome handed to the recorder. A record that fails (the database is
    /// away) leaves the message to its lease: it is attempted again, never lost.
    func deliver(_ message: ClaimedMessage, secrets: [WebhookSecret]) async {
        let outcome = await sender.attempt(message, secrets: secrets)
        attempts.increment()
        if !outcome.succeeded { failures.increment() }
        recorder.add(outcome, for: message)
        logger.debug(
            "webhook attempt",
            metadata: [
                "message_id": "\(message.id.apiString)", "event_id": "\(message.eventId)", "endpoint_id": "\(message.endpointId.apiString)",
                "status": "\(outcome.responseStatus.map(String.init) ?? "none")", "duration_ms": "\(outcome.durationMs)",
            ])
    }
}
