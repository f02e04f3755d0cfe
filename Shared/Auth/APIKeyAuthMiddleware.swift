import HTTPTypes
import Hummingbird
import Logging

/// Authenticates every request under `/api/` with its API key (contract §3), before anything
/// else looks at the request: an unknown path or a bad id under `/api/` is still 401 first.
public struct APIKeyAuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let verifier: KeyVerifier
    let pathPrefix: String

    public init(verifier: KeyVerifier, pathPrefix: String = "/api/") {
        self.verifier = verifier
        self.pathPrefix = pathPrefix
    }

    /// Verifies the bearer key and puts it in the context; 401 or 503 otherwise.
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
        return try await next(request, context)
    }
}

/// The 401 and 403 answers of contract §3, with their `WWW-Authenticate` headers.
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
