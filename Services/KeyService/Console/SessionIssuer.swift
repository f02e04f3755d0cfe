import Foundation
import Hummingbird
import Logging
import Shared

/// Starts console sessions: after a sign-in (one step or two) and after accepting an
/// invitation. A session is stored by the digest of its token; the token goes only into the
/// cookie, `HttpOnly`, `SameSite=Strict`, scoped to `/console`, `Secure` unless configured off.
struct SessionIssuer: Sendable {
    let accounts: ConsoleAccountRepository
    let clientAddress: ClientAddress
    let sessionLifetime: Duration
    let secureCookie: Bool

    /// The longest `User-Agent` kept with a session (the list shows it; nothing needs more).
    static let userAgentLimit = 300

    /// A new session for `user`, answered `status` with the session's view and its cookie.
    func start(for user: ConsoleUser, status: HTTPResponse.Status = .ok, request: Request, context: some RemoteAddressRequestContext) async throws
        -> Response
    {
        let token = ConsoleAuthenticator.newToken()
        let expiresAt = Date().addingTimeInterval(TimeInterval(sessionLifetime.components.seconds))
        let userAgent = request.headers[.userAgent].map { String($0.prefix(Self.userAgentLimit)) }
        try await accounts.createSession(
            tokenDigest: ConsoleAuthenticator.digest(token), userId: user.id, expiresAt: expiresAt,
            address: clientAddress.of(request, context: context), userAgent: userAgent)
        context.logger.info("console sign-in", metadata: ["user_id": "\(user.id)"])
        var response = try EditedResponse(status: status, response: SessionView(user, expiresAt: expiresAt)).response(from: request, context: context)
        response.setCookie(cookie(value: token, maxAge: Int(sessionLifetime.components.seconds)))
        return response
    }

    /// The session cookie, or (empty, age 0) the one that clears it.
    func cookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: ConsoleAuthenticator.cookieName, value: value, maxAge: maxAge, path: "/console", secure: secureCookie, httpOnly: true,
            sameSite: .strict)
    }
}

/// Who is signed in: the answer of a sign-in and of `GET /console/api/session`.
struct SessionView: ResponseEncodable {
    struct User: Encodable {
        let id: String
        let email: String
        let role: ConsoleRole
        let twoFactorEnabled: Bool
    }
    struct Organization: Encodable {
        let id: String
        let name: String
        let requireTwoFactor: Bool
    }
    let user: User
    let organization: Organization
    let expiresAt: Date?

    init(_ user: ConsoleUser, expiresAt: Date?) {
        self.user = User(id: user.id.apiString, email: user.email, role: user.role, twoFactorEnabled: user.twoFactorEnabled)
        self.organization = Organization(
            id: user.organizationId.apiString, name: user.organizationName, requireTwoFactor: user.organizationRequiresTwoFactor)
        self.expiresAt = expiresAt
    }
}
