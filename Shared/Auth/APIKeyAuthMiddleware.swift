import HTTPTypes
import Hummingbird
import Logging

/// Authenticates every request under `/api/` with its API key (docs/api-guide.md, "Calling the API with a key"), before anything
/// else looks at the request: an unknown path or a bad id under `/api/` is still 401 first.
/// Then applies the key's rate limits (docs/api-guide.md, "Conventions"): 429 past them, and the `X-RateLimit-*`
/// headers on every answer to an authenticated request, errors included.
public struct APIKeyAuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let verifier: KeyVerifier
    let limiter: RateLimiter?
    let pathPrefix: String

    public init(verifier: KeyVerifier, limiter: RateLimiter? = nil, pathPrefix: String = "/api/") {
        self.verifier = verifier
        self.limiter = limiter
        self.pathPrefix = pathPrefix
    }

    /// Verifies the bearer key and puts it in the context; 401 or 503 otherwise; then 429 or the headers.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix(pathPrefix) else {
            return try await next(request, context)
        }
        let token: APIKeyToken
        switch BearerCredentials.read(request.headers) {
        case .missing:
            throw AuthError.unauthorized(tokenPresented: false)
        case .malformed:
            throw AuthError.unauthorized(tokenPresented: true)
        case .token(let parsed):
            token = parsed
        }
        let key: VerifiedKey?
        do {
            key = try await verifier.verify(token, requestId: context.requestId)
        } catch {
            context.logger.error("cannot verify API key", metadata: ["error": "\(String(describing: error))", "prefix": "\(token.displayPrefix)"])
            throw APIError.unavailable("API keys cannot be verified right now; retry shortly", retryAfter: 1)
        }
        guard let key else {
            throw AuthError.unauthorized(tokenPresented: true)
        }
        var context = context
        context.verifiedKey = key
        context.logger[metadataKey: "key_id"] = "\(key.keyId.apiString)"
        guard let limiter, let decision = await limiter.admit(key, requestId: context.requestId) else {
            return try await next(request, context)
        }
        guard decision.allowed else {
            throw APIError(
                .tooManyRequests, code: "RATE_LIMITED",
                message:
                    "This key made its \(decision.limit) requests per \(decision.windowSeconds == 1 ? "second" : "minute"); retry in \(decision.retryAfter ?? 1) s",
                headers: decision.headers
            )
        }
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: decision.headers)
            return response
        } catch {
            var failure = ErrorMiddleware<Context>.apiError(for: error, request: request, logger: context.logger)
            failure.headers.append(contentsOf: decision.headers)
            throw failure
        }
    }
}

/// The 401 and 403 answers of docs/api-guide.md, "Calling the API with a key", with their `WWW-Authenticate` headers.
public enum AuthError {
    static let realm = #"Bearer realm="evalyo""#

    /// 401 `UNAUTHORIZED`; `error="invalid_token"` when a token was presented (RFC 6750 §3).
    public static func unauthorized(tokenPresented: Bool) -> APIError {
        APIError(
            .unauthorized, code: "UNAUTHORIZED",
            message: tokenPresented ? "The API key is invalid or revoked" : "An API key is required: Authorization: Bearer <key>",
            headers: [.wwwAuthenticate: tokenPresented ? realm + #", error="invalid_token""# : realm]
        )
    }

    /// 403 `FORBIDDEN` naming the scope the route needs (RFC 6750 `insufficient_scope`).
    public static func forbidden(requiredScope scope: Scope) -> APIError {
        APIError(
            .forbidden, code: "FORBIDDEN", message: "This API key lacks the scope \(scope.rawValue)",
            headers: [.wwwAuthenticate: realm + #", error="insufficient_scope", scope=""# + scope.rawValue + "\""],
            requiredScope: scope.rawValue
        )
    }
}
