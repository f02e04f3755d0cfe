import Hummingbird

/// Refuses a declared body over the limit before anything reads it; streamed bodies are
/// bounded where they are collected (`AppRequestContext.maxUploadSize`).
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int

    public init(limit: Int = RequestLimits.maxBodyBytes) {
        self.limit = limit
    }

    /// Answers 413 when `Content-Length` is over the limit.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.payloadTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}
