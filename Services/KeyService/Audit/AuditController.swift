import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `GET /console/api/audit-events`: who did what to which key or member, and when, newest first.
struct AuditController: Sendable {
    /// Every action the trail records (docs/api-guide.md, "The audit log"): the `type` filter names one.
    static let types = [
        "api_key.created", "api_key.renamed", "api_key.revoked", "key.rolled", "key.expired", "key.leaked",
        "member.invited", "invitation.cancelled", "member.joined", "member.role_changed", "member.removed",
        "two_factor.enabled", "two_factor.disabled", "password.changed", "session.revoked", "organization.updated",
    ]

    let client: PostgresClient
    let logger: Logger

    /// Adds the list route: every member may read the trail.
    func addRoutes(to routes: ConsoleRoutes) {
        routes.get("audit-events", .VIEWER, use: list)
    }

    /// One page of the organization's audit trail, filtered by `type` and `actor` (a member id).
    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Page<AuditEvent> {
        let page = try PageRequest(from: request)
        var filters = AuditTrail.Filters()
        if let type = request.uri.queryParameters["type"].map(String.init) {
            guard Self.types.contains(type) else {
                throw APIError.invalidField("type", "must be one of \(Self.types.joined(separator: ", "))")
            }
            filters.type = type
        }
        filters.actor = try request.uuidFilter("actor")
        let (events, total) = try await AuditTrail.events(
            client, organizationId: context.member.organizationId, filters: filters, page: page, logger: logger)
        return Page(data: events, request: page, total: total)
    }
}
