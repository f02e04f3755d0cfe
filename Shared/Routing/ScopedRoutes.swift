import HTTPTypes
import Hummingbird

/// One public route and the scope it needs.
public struct ScopedRoute: Sendable, Hashable, CustomStringConvertible {
    public let method: HTTPRequest.Method
    public let path: String
    public let scope: Scope

    public var description: String { "\(method) \(path) [\(scope.rawValue)]" }
}

/// Declares public routes together with their scope, so a service's scope table reads in
/// one screen and a test can walk it: `routes.get("/api/v1/jobs", .jobsRead, use: list)`.
/// Handlers take an `APIRequestContext`: its key is verified and not optional.
public final class ScopedRoutes: RouteDeclarer, @unchecked Sendable {
    let group: RouterGroup<APIRequestContext>
    /// Every route declared so far (filled while building the router, read-only afterwards).
    public private(set) var table: [ScopedRoute] = []

    /// Kept answers for `POST` requests with an `Idempotency-Key`; nil: the header is ignored.
    let idempotency: IdempotencyStore?

    /// Public routes on `router`, reachable only through `APIKeyAuthMiddleware`'s verified key;
    /// every `POST` honours `Idempotency-Key` through `idempotency` (docs/api-guide.md, "Safe retries").
    public init(router: Router<AppRequestContext>, idempotency: IdempotencyStore? = nil) {
        self.group = router.group(context: APIRequestContext.self)
        self.idempotency = idempotency
    }

    public typealias Handler<Output: ResponseGenerator> = @Sendable (Request, APIRequestContext) async throws -> Output

    /// Adds `method path`, refusing keys without `scope` with 403 before the handler runs.
    public func on<Output: ResponseGenerator>(_ method: HTTPRequest.Method, _ path: String, _ scope: Scope, use handler: @escaping Handler<Output>) {
        table.append(ScopedRoute(method: method, path: path, scope: scope))
        let idempotency = method == .post ? self.idempotency : nil
        group.on(RouterPath(path), method: method) { request, context -> Response in
            guard context.key.scopes.contains(scope) else {
                throw AuthError.forbidden(requiredScope: scope)
            }
            if let idempotency, let key = request.headers[.idempotencyKey] {
                return try await idempotency.run(request, context: context, key: key) { request in
                    try await handler(request, context).response(from: request, context: context)
                }
            }
            return try await handler(request, context).response(from: request, context: context)
        }
    }
}
