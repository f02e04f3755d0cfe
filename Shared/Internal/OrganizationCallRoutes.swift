import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The context of an internal call made for one organization: a trusted service (the key
/// service, for the console's people) checked who may act and names the organization in
/// `X-Evalyo-Organization-Id`.
public struct OrganizationCallContext: RequestContext, OrganizationRequestContext {
    public typealias Source = Never
    public var coreContext: CoreRequestContextStorage
    public let requestId: String
    /// The calling service's client id.
    public let caller: String
    public let organizationId: UUID

    public init(source: Never) { switch source {} }

    init(parent: AppRequestContext, caller: String, organizationId: UUID) {
        self.coreContext = parent.coreContext
        self.requestId = parent.requestId
        self.caller = caller
        self.organizationId = organizationId
        self.logger[metadataKey: "organization_id"] = "\(organizationId.apiString)"
    }

    public var maxUploadSize: Int { RequestLimits.maxBodyBytes }
    public var responseEncoder: JSONEncoder { AppRequestContext.encoder }
}

/// A public resource's routes served again to a trusted internal caller, under `/internal/console/`
/// instead of `/api/v1/`: the same handlers, written against `OrganizationRequestContext`, so the
/// console and the API reach one resource. Only `callers` get through (HTTP Basic, 401 otherwise);
/// they name the organization in `X-Evalyo-Organization-Id` (400 without it). The scope a route is
/// declared with is the API's; here the caller has already checked what the person may do.
public final class OrganizationCallRoutes: RouteDeclarer, @unchecked Sendable {
    public static let organizationHeader = HTTPField.Name("X-Evalyo-Organization-Id")!
    public static let publicPrefix = "/api/v1/"
    public static let prefix = "/internal/console/"

    let group: RouterGroup<AppRequestContext>
    /// Every route declared so far, with its path under `prefix`.
    public private(set) var table: [ScopedRoute] = []

    public init(router: Router<AppRequestContext>, callers: InternalCallers) {
        self.group = router.group(RouterPath(String(Self.prefix.dropFirst().dropLast()))).add(middleware: InternalCallerMiddleware(callers: callers))
    }

    public func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, _ scope: Scope,
        use handler: @escaping @Sendable (Request, OrganizationCallContext) async throws -> Output
    ) {
        precondition(path.hasPrefix(Self.publicPrefix), "a route served to the console mirrors one under \(Self.publicPrefix)")
        let relative = String(path.dropFirst(Self.publicPrefix.count))
        table.append(ScopedRoute(method: method, path: Self.prefix + relative, scope: scope))
        group.on(RouterPath(relative), method: method) { request, context -> Response in
            guard let caller = context.internalCaller else { throw InternalCallerMiddleware.unauthorized }
            guard let text = request.headers[Self.organizationHeader], let organization = UUID(uuidString: text) else {
                throw APIError.validation("\(Self.organizationHeader) must name the organization the call is made for")
            }
            let call = OrganizationCallContext(parent: context, caller: caller, organizationId: organization)
            return try await handler(request, call).response(from: request, context: call)
        }
    }
}
