import Hummingbird
import Shared

/// `GET /console/api/audit-events`: who created, renamed or revoked which key, and when.
struct AuditController: Sendable {
    let keys: APIKeyRepository
    let authenticator: ConsoleAuthenticator

    /// Adds the list route.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
    }

    /// One page of the organization's audit trail, newest first.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Page<AuditEvent> {
        let user = try await authenticator.user(for: request)
        let page = try PageRequest(from: request)
        let (events, total) = try await keys.auditEvents(organizationId: user.organizationId, page: page)
        return Page(data: events, request: page, total: total)
    }
}
