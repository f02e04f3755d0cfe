import HTTPTypes
import Hummingbird
import Shared

/// Refuses state-changing console requests from another site (docs/api-guide.md and docs/design/hostile-clients.md). The session
/// cookie is already `SameSite=Strict`; this is the second lock. Such a request needs an `Origin`
/// of the console's own (or an allowed) origin, or `Sec-Fetch-Site: same-origin`: a browser
/// always sends one of them, and a script sends the console's origin itself. A request with
/// neither is refused, so no browser quirk or proxy that strips headers can open the door.
/// The console's own origin has the scheme the client used: a console served over HTTPS does
/// not take `http://` pages of the same host for its own (RFC 6454: the scheme is part of it).
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Origins allowed besides the one the request was addressed to, in lower case.
    let allowedOrigins: Set<String>
    /// Where the request's scheme comes from: the gateway's `X-Forwarded-Proto`, when trusted.
    let forwarding: ClientAddress

    /// Passes safe methods; checks `Origin` (or `Sec-Fetch-Site`) on the others.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if ![.get, .head, .options].contains(request.method) {
            guard request.headers[.origin] != nil || request.headers[.secFetchSite] != nil else {
                throw APIError(
                    .forbidden, code: "FORBIDDEN",
                    message:
                        "A console request that changes state needs an Origin header: browsers send it; from a script, send the console's origin (for example Origin: https://console.example)"
                )
            }
            guard isSameOrigin(request, context: context) else {
                throw APIError(.forbidden, code: "FORBIDDEN", message: "Cross-origin request refused")
            }
        }
        return try await next(request, context)
    }

    /// Whether the request comes from the console's own origin (or an allowed one).
    func isSameOrigin(_ request: Request, context: Context) -> Bool {
        if let origin = request.headers[.origin]?.lowercased() {
            if allowedOrigins.contains(origin) { return true }
            // HTTP/1's Host header arrives as the request's authority.
            guard let host = request.head.authority?.lowercased() else { return false }
            return origin == "\(forwarding.scheme(of: request, context: context))://\(host)"
        }
        return request.headers[.secFetchSite]?.lowercased() == "same-origin"
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
