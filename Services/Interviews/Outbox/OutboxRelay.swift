import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared

/// Delivers outbox events to the reports service, oldest first, until each is acknowledged.
///
/// - An event is marked delivered only after the reports service answered 200, so a crash or
///   restart on either side means a delivery again, never a lost one; the reports service
///   applies each event id once, so a repeat is harmless.
/// - While the reports service is unreachable it retries with exponential backoff (up to 5 s).
/// - `FOR UPDATE SKIP LOCKED` lets several replicas relay side by side without sending the
///   same event at the same time.
/// - It polls every `pollInterval` (100 ms by default) when idle: a report is visible well
///   within a second of completion.
struct OutboxRelay: Service {
    let postgres: PostgresClient
    let reports: any ReportDelivery
    let pollInterval: Duration
    let logger: Logger

    static let batchSize = 20
    static let maxBackoff = Duration.seconds(5)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = pollInterval
            while !Task.isCancelled {
                do {
                    let delivered = try await deliverBatch()
                    backoff = pollInterval
                    if delivered < Self.batchSize { try? await Task.sleep(for: pollInterval) }
                } catch {
                    logger.warning("outbox delivery failed; will retry", metadata: ["error": "\(String(describing: error))", "retry_in": "\(backoff)"])
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, Self.maxBackoff)
                }
            }
        }
    }

    /// Delivers up to one batch of pending events; returns how many were delivered.
    func deliverBatch() async throws -> Int {
        try await postgres.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                SELECT id, payload::text FROM outbox_events WHERE delivered_at IS NULL
                ORDER BY sequence LIMIT \(Self.batchSize) FOR UPDATE SKIP LOCKED
                """,
                logger: logger
            )
            var delivered = 0
            for (id, payload) in try await rows.collect().map({ try $0.decode((UUID, String).self) }) {
                try await reports.deliver(eventId: id, payload: payload)
                try await connection.query("UPDATE outbox_events SET delivered_at = now() WHERE id = \(id)", logger: logger)
                delivered += 1
            }
            return delivered
        }
    }
}
