import Foundation
import Logging
import PostgresNIO
import Shared

/// Writing events into the outbox, always on the connection of the transaction that makes the
/// change they announce: the change and its event are committed together or not at all.
enum Outbox {
    /// Appends `event` for the relay to deliver.
    static func append(_ event: ReportEvent, on connection: PostgresConnection, logger: Logger) async throws {
        let payload = String(decoding: try ReportEvent.encoder.encode(event), as: UTF8.self)
        try await connection.query(
            "INSERT INTO outbox_events (id, payload) VALUES (\(event.eventId), \(payload)::jsonb)",
            logger: logger
        )
    }
}
