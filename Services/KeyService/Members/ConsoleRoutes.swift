import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Shared

/// One console route and the least role that may call it.
struct ConsoleRoute: Sendable, Hashable, CustomStringConvertible {
    let method: HTTPRequest.Method
    /// The full path, `/console/api/keys/{id}`.
    let path: String
    let role: ConsoleRole
    /// Whether a member who must still enrol in two-factor (their organization requires it) may call it.
    let beforeTwoFactor: Bool

    var description: String { "\(method) \(path) [\(role.rawValue)]" }
}

/// The context of a console route for signed-in members: who they are, their organization and
/// their role, never optional here (as `APIRequestContext` carries the verified key).
struct ConsoleContext: RequestContext, RemoteAddressRequestContext {
    typealias Source = Never
    var coreContext: CoreRequestContextStorage
    let requestId: String
    let remoteAddress: SocketAddress?
    /// The member, as the database says on this very request: a role change or a removal
    /// takes effect on the member's next request.
    let member: ConsoleUser

    init(source: Never) { switch source {} }

    init(parent: AppRequestContext, member: ConsoleUser) {
        self.coreContext = parent.coreContext
        self.requestId = parent.requestId
        self.remoteAddress = parent.remoteAddress
        self.member = member
        self.logger[metadataKey: "member_id"] = "\(member.id)"
    }

    var maxUploadSize: Int { RequestLimits.maxBodyBytes }
    var responseEncoder: JSONEncoder { AppRequestContext.encoder }
}

/// Declares console routes together with the least role each needs, so that the role table
/// (docs/api-guide.md, "Members and roles") reads in one place and a test can walk it:
/// `routes.post("keys", .DEVELOPER, use: create)`. Before a handler runs, the session is
/// checked (401), the organization's `requireTwoFactor` (403 `TWO_FACTOR_REQUIRED` for a
/// member not enrolled, except on the enrolment routes) and the role (403 with `requiredRole`).
/// What depends on the thing acted on (a DEVELOPER's own keys, an ADMIN's reach over roles) is
/// the handler's to check, with `ConsoleRole.forbidden`.
final class ConsoleRoutes: RouteDeclarer, @unchecked Sendable {
    static let prefix = "/console/api"

    let group: RouterGroup<AppRequestContext>
    let authenticator: ConsoleAuthenticator
    /// Every route declared so far (filled while building the router, read-only afterwards).
    private(set) var table: [ConsoleRoute] = []

    /// Routes under `group`, the `/console/api` group with its `Origin` check.
    init(group: RouterGroup<AppRequestContext>, authenticator: ConsoleAuthenticator) {
        self.group = group
        self.authenticator = authenticator
    }

    typealias Handler<Output: ResponseGenerator> = @Sendable (Request, ConsoleContext) async throws -> Output

    static let twoFactorRequired = APIError(
        .forbidden, code: "TWO_FACTOR_REQUIRED",
        message: "Your organization requires two-factor sign-in: turn it on (POST /console/api/me/two-factor) before anything else")

    /// Adds `method path` (relative to `/console/api`) for members of at least `role`.
    func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, _ role: ConsoleRole, beforeTwoFactor: Bool = false, use handler: @escaping Handler<Output>
    ) {
        let route = ConsoleRoute(
            method: method, path: path.isEmpty ? Self.prefix : "\(Self.prefix)/\(path)", role: role, beforeTwoFactor: beforeTwoFactor)
        table.append(route)
        let authenticator = self.authenticator
        group.on(RouterPath(path), method: method) { request, context -> Response in
            let member = try await authenticator.user(for: request)
            if member.mustEnrolInTwoFactor, !beforeTwoFactor { throw Self.twoFactorRequired }
            guard member.role >= role else { throw ConsoleRole.forbidden(requiredRole: role, "\(method) \(route.path)") }
            let console = ConsoleContext(parent: context, member: member)
            return try await handler(request, console).response(from: request, context: console)
        }
    }

    /// `on` for members who hold at least `role` (`RouteDeclarer`'s verbs use it).
    func on<Output: ResponseGenerator>(_ method: HTTPRequest.Method, _ path: String, _ role: ConsoleRole, use handler: @escaping Handler<Output>) {
        on(method, path, role, beforeTwoFactor: false, use: handler)
    }
}
