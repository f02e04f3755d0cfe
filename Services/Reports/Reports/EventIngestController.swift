import Foundation
import Hummingbird
import Logging
import Shared

/// `POST /internal/events`: the interviews service delivers completion events here. The answer
/// is 200 whether the event is new or a repeat, so a retried delivery is harmless.
struct EventIngestController: Sendable {
    let reports: ReportRepository

    /// Adds the route.
    func addRoutes(to internalRoutes: RouterGroup<InternalRequestContext>) {
        internalRoutes.post("events", use: ingest)
    }

    struct Receipt: ResponseEncodable {
        let eventId: String
        let applied: Bool
    }

    @Sendable func ingest(_ request: Request, context: InternalRequestContext) async throws -> Receipt {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        try request.requireJSONContentType()
        let event: ReportEvent
        do {
            event = try JSONRequestDecoding.decode(ReportEvent.self, from: Array(buffer.readableBytesView), decoder: ReportEvent.decoder)
        } catch {
            throw APIError.validation("Not a report event")
        }
        guard (0...100).contains(event.score), (event.type == .INTERVIEW) == (event.interviewId != nil),
            (event.type == .TEST) == (event.assignmentId != nil)
        else { throw APIError.validation("Inconsistent report event") }
        let applied = try await reports.apply(event)
        context.logger.info("report event", metadata: ["event_id": "\(event.eventId.apiString)", "applied": "\(applied)"])
        return Receipt(eventId: event.eventId.apiString, applied: applied)
    }
}
