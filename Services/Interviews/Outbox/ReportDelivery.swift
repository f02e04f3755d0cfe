import Foundation
import Shared

/// Where completion events go: the reports service's `POST /internal/events`.
protocol ReportDelivery: Sendable {
    /// Delivers one event (its JSON payload); returns once the reports service acknowledged
    /// it, throws otherwise (the relay then tries again later).
    func deliver(eventId: UUID, payload: String) async throws
}

/// `ReportDelivery` over HTTP, with the interviews service's credentials at the reports service.
struct HTTPReportDelivery: ReportDelivery {
    let client: InternalServiceClient

    func deliver(eventId: UUID, payload: String) async throws {
        _ = try await client.send(.post, "/internal/events", body: payload, contentType: "application/json", requestId: "outbox-\(eventId.apiString)")
    }
}
