import Hummingbird
import Logging

/// Authenticates every request of an `/internal/` group with HTTP Basic client credentials
/// (docs/architecture.md): 401 with `WWW-Authenticate: Basic` unless the caller is one of `callers`.
/// The group's routes take an `InternalRequestContext`, which cannot be made without it.
public struct InternalCallerMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let callers: InternalCallers

    public init(callers: InternalCallers) {
        self.callers = callers
    }

    /// Puts the caller's client id in the context, or throws 401.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let caller = callers.authenticate(request) else { throw Self.unauthorized }
        var context = context
        context.internalCaller = caller
        context.logger[metadataKey: "internal_client"] = "\(caller)"
        return try await next(request, context)
    }

    static let unauthorized = APIError(
        .unauthorized, code: "UNAUTHORIZED", message: "Valid internal client credentials are required",
        headers: [.wwwAuthenticate: #"Basic realm="evalyo-internal""#]
    )
}

extension RouterMethods where Context == AppRequestContext {
    /// The `/internal/` routes of a service: only `callers` reach them, by construction, since
    /// a handler's `InternalRequestContext` exists only once the credentials were checked.
    public func internalRoutes(callers: InternalCallers) -> RouterGroup<InternalRequestContext> {
        group("internal").add(middleware: InternalCallerMiddleware(callers: callers)).group(context: InternalRequestContext.self)
    }
}
