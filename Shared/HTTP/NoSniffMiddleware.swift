import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// `X-Content-Type-Options`.
    public static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}

/// `X-Content-Type-Options: nosniff` on every answer, errors included (docs/design/hostile-clients.md): a browser
/// never reads a JSON error, say, as a page or a script.
public struct NoSniffMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentTypeOptions] = "nosniff"
        return response
    }
}
