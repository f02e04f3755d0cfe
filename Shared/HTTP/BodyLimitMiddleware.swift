import Hummingbird

/// Refuses a declared body over the limit before anything reads it; streamed bodies are
/// bounded where they are collected (`AppRequestContext.maxUploadSize`).
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    /// The limit of `/internal/` paths, which the gateway never routes.
    let internalLimit: Int

    public init(limit: Int = RequestLimits.maxBodyBytes, internalLimit: Int = RequestLimits.maxInternalBodyBytes) {
        self.limit = limit
        self.internalLimit = internalLimit
    }

    /// Answers 413 when `Content-Length` is over the path's limit.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = request.uri.path.hasPrefix("/internal/") ? internalLimit : self.limit
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
