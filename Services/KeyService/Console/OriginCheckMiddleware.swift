import HTTPTypes
import Hummingbird
import Shared

/// Refuses state-changing console requests from another site (contract §6). The session cookie
/// is already `SameSite=Strict`; this is the second lock. A browser always sends `Origin` on such
/// requests; a request with neither `Origin` nor `Sec-Fetch-Site` comes from a program such as
/// curl, which no other site can drive with the user's cookie, so it is let through.
struct OriginCheckMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    /// Origins allowed besides the one the request was addressed to, in lower case.
    let allowedOrigins: Set<String>

    /// Passes safe methods; checks `Origin` (or `Sec-Fetch-Site`) on the others.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if ![.get, .head, .options].contains(request.method), !isSameOrigin(request) {
            throw APIError(.forbidden, code: "FORBIDDEN", message: "Cross-origin request refused")
        }
        return try await next(request, context)
    }

    /// Whether the request comes from the console's own origin (or an allowed one).
    func isSameOrigin(_ request: Request) -> Bool {
        if let origin = request.headers[.origin]?.lowercased() {
            if allowedOrigins.contains(origin) { return true }
            // HTTP/1's Host header arrives as the request's authority.
            guard let host = request.head.authority?.lowercased() else { return false }
            return origin == "http://\(host)" || origin == "https://\(host)"
        }
        if let site = request.headers[.secFetchSite]?.lowercased() {
            return site == "same-origin" || site == "none"
        }
        return true
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
