import Foundation
import Logging
import PostgresNIO
import Shared

extension Outbox {
    /// The outbox's destination for completion events: the reports service.
    static let reports = "reports"

    /// Appends a completion event for the reports service, in the completion's transaction.
    static func append(_ event: ReportEvent, on connection: PostgresConnection, logger: Logger) async throws {
        let payload = String(decoding: try ReportEvent.encoder.encode(event), as: UTF8.self)
        try await append(id: event.eventId, destination: reports, payload: payload, on: connection, logger: logger)
    }
}
