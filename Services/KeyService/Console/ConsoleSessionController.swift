import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import NIOPosix
import Shared

/// `/console/api/session`: sign in, see who is signed in, sign out.
struct ConsoleSessionController: Sendable {
    let accounts: ConsoleAccountRepository
    let authenticator: ConsoleAuthenticator
    let throttle: SignInThrottle
    let passwords: PasswordChecker
    let clientAddress: ClientAddress
    let bcryptCost: Int
    let sessionLifetime: Duration
    let secureCookie: Bool
    /// Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    let decoyHash: String

    init(
        accounts: ConsoleAccountRepository, authenticator: ConsoleAuthenticator, throttle: SignInThrottle, passwords: PasswordChecker,
        clientAddress: ClientAddress, bcryptCost: Int, sessionLifetime: Duration, secureCookie: Bool
    ) {
        self.accounts = accounts
        self.authenticator = authenticator
        self.throttle = throttle
        self.passwords = passwords
        self.clientAddress = clientAddress
        self.bcryptCost = bcryptCost
        self.sessionLifetime = sessionLifetime
        self.secureCookie = secureCookie
        self.decoyHash = Bcrypt.hash(ConsoleAuthenticator.newToken(), cost: UInt8(bcryptCost))
    }

    /// Adds POST (sign in), GET (current user) and DELETE (sign out).
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(use: signIn)
        group.get(use: current)
        group.delete(use: signOut)
    }

    struct SignIn: Decodable {
        let email: String
        let password: String
    }

    struct SessionView: ResponseEncodable {
        struct User: Encodable {
            let id: String
            let email: String
        }
        struct Organization: Encodable {
            let id: String
            let name: String
        }
        let user: User
        let organization: Organization
        let expiresAt: Date?

        init(_ user: ConsoleUser, expiresAt: Date?) {
            self.user = User(id: user.id.apiString, email: user.email)
            self.organization = Organization(id: user.organizationId.apiString, name: user.organizationName)
            self.expiresAt = expiresAt
        }
    }

    /// Admits the attempt past the throttle, checks the password with bcrypt (on its own
    /// bounded pool) and sets the session cookie.
    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SignIn.self, context: context)
        guard !body.email.isEmpty, body.email.count <= 320, !body.password.isEmpty, body.password.utf8.count <= 72 else {
            throw Self.wrongCredentials
        }
        let address = clientAddress.of(request, context: context)
        // Nothing to check it with: 503 before the attempt is counted or costs a transaction.
        guard !passwords.isFull else { throw PasswordChecker.busy }
        let attempt: Int64
        switch try await throttle.admit(address: address, email: body.email) {
        case .admitted(let id): attempt = id
        case .refused(let seconds):
            context.logger.notice("console sign-in throttled", metadata: ["client_address": "\(address)", "retry_after": "\(seconds)"])
            throw APIError(
                .tooManyRequests, code: "RATE_LIMITED", message: "Too many sign-in attempts; retry later", headers: [.retryAfter: String(seconds)])
        }
        let found = try await accounts.userForSignIn(email: body.email)
        let matches = try await passwords.verify(body.password, hash: found?.passwordHash ?? decoyHash)
        guard let user = found?.0, matches else {
            context.logger.notice("console sign-in refused", metadata: ["client_address": "\(address)"])
            throw Self.wrongCredentials
        }
        try await throttle.succeeded(attempt: attempt, address: address, email: body.email)
        let token = ConsoleAuthenticator.newToken()
        let expiresAt = Date().addingTimeInterval(TimeInterval(sessionLifetime.components.seconds))
        try await accounts.createSession(tokenDigest: ConsoleAuthenticator.digest(token), userId: user.id, expiresAt: expiresAt)
        context.logger.info("console sign-in", metadata: ["user_id": "\(user.id)"])
        var response = try SessionView(user, expiresAt: expiresAt).response(from: request, context: context)
        response.setCookie(cookie(value: token, maxAge: Int(sessionLifetime.components.seconds)))
        return response
    }

    /// The signed-in user and organization, or 401.
    @Sendable func current(_ request: Request, context: AppRequestContext) async throws -> SessionView {
        SessionView(try await authenticator.user(for: request), expiresAt: nil)
    }

    /// Ends the session, if there is one, and clears the cookie: 204 either way.
    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let token = request.cookies[ConsoleAuthenticator.cookieName]?.value, !token.isEmpty {
            try await accounts.deleteSession(tokenDigest: ConsoleAuthenticator.digest(token))
        }
        var response = Response(status: .noContent)
        response.setCookie(cookie(value: "", maxAge: 0))
        return response
    }

    /// The session cookie: `HttpOnly`, `SameSite=Strict`, scoped to `/console`, `Secure` unless configured off.
    func cookie(value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: ConsoleAuthenticator.cookieName, value: value, maxAge: maxAge, path: "/console", secure: secureCookie, httpOnly: true,
            sameSite: .strict)
    }

    static let wrongCredentials = APIError(.unauthorized, code: "UNAUTHORIZED", message: "Email or password is incorrect")
}
