import Foundation
import Hummingbird
import HummingbirdBcrypt
import Logging
import NIOPosix
import Shared

/// `/console/api/session`: sign in (with a second step when two-factor is on), see who is
/// signed in, sign out.
struct ConsoleSessionController: Sendable {
    let accounts: ConsoleAccountRepository
    let authenticator: ConsoleAuthenticator
    let throttle: SignInThrottle
    let passwords: PasswordChecker
    let codes: TwoFactorCodes
    let sessions: SessionIssuer
    /// Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    let decoyHash: String

    init(
        accounts: ConsoleAccountRepository, authenticator: ConsoleAuthenticator, throttle: SignInThrottle, passwords: PasswordChecker,
        codes: TwoFactorCodes, sessions: SessionIssuer, bcryptCost: Int
    ) {
        self.accounts = accounts
        self.authenticator = authenticator
        self.throttle = throttle
        self.passwords = passwords
        self.codes = codes
        self.sessions = sessions
        self.decoyHash = Bcrypt.hash(ConsoleAuthenticator.newToken(), cost: UInt8(bcryptCost))
    }

    /// Adds POST (sign in), POST two-factor (its second step) and DELETE (sign out) on `group`,
    /// and GET (who is signed in) as a member route.
    func addRoutes(to group: RouterGroup<AppRequestContext>, members routes: ConsoleRoutes) {
        group.post(use: signIn)
        group.post("two-factor", use: secondStep)
        group.delete(use: signOut)
        routes.on(.get, "session", .VIEWER, beforeTwoFactor: true, use: current)
    }

    struct SignIn: Decodable {
        let email: String
        let password: String
    }

    struct SecondStep: Decodable {
        let challenge: String
        let code: String
    }

    /// The answer to a right password when two-factor is on: no cookie yet.
    struct ChallengeView: ResponseEncodable {
        let twoFactorRequired = true
        let challenge: String
        let expiresInSeconds = ConsoleAccountRepository.challengeLifetimeSeconds
    }

    /// Admits the attempt past the throttle, checks the password with bcrypt (on its own
    /// bounded pool) and sets the session cookie, or, with two-factor on, answers a challenge
    /// for the second step (the attempt then counts as failed until its code is right).
    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SignIn.self, context: context)
        guard !body.email.isEmpty, body.email.count <= 320, !body.password.isEmpty, body.password.utf8.count <= 72 else {
            throw Self.wrongCredentials
        }
        let address = sessions.clientAddress.of(request, context: context)
        // Nothing to check it with: 503 before the attempt is counted or costs a transaction.
        guard !passwords.isFull else { throw PasswordChecker.busy }
        let attempt = try await admit(address: address, email: body.email, context: context)
        let found = try await accounts.userForSignIn(email: body.email)
        let matches = try await passwords.verify(body.password, hash: found?.passwordHash ?? decoyHash)
        guard let user = found?.0, matches else {
            context.logger.notice("console sign-in refused", metadata: ["client_address": "\(address)"])
            throw Self.wrongCredentials
        }
        if user.twoFactorEnabled {
            let challenge = ConsoleAuthenticator.newToken()
            try await accounts.createChallenge(
                tokenDigest: ConsoleAuthenticator.digest(challenge), userId: user.id, address: address,
                userAgent: request.headers[.userAgent].map { String($0.prefix(SessionIssuer.userAgentLimit)) })
            context.logger.info("console sign-in awaits its second factor", metadata: ["user_id": "\(user.id)"])
            return try EditedResponse(headers: [.cacheControl: "no-store"], response: ChallengeView(challenge: challenge))
                .response(from: request, context: context)
        }
        try await throttle.succeeded(attempt: attempt, address: address, email: body.email)
        return try await sessions.start(for: user, request: request, context: context)
    }

    /// The second step: a current code or an unused recovery code for the challenge. Each try
    /// is counted by the throttle like a password (section "Hostile clients" of
    /// docs/design/hostile-clients.md) and spends one of the challenge's five.
    @Sendable func secondStep(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SecondStep.self, context: context)
        guard !body.challenge.isEmpty, body.challenge.utf8.count <= 128 else { throw Self.challengeExpired }
        guard !body.code.isEmpty, body.code.utf8.count <= 64 else { throw Self.wrongCode }
        let digest = ConsoleAuthenticator.digest(body.challenge)
        let address = sessions.clientAddress.of(request, context: context)
        guard let userId = try await accounts.spendChallengeTry(tokenDigest: digest),
            let user = try await accounts.member(id: userId, organizationId: nil)
        else { throw Self.challengeExpired }
        let attempt = try await admit(address: address, email: user.email, context: context)
        guard try await codes.verify(body.code, userId: user.id) else {
            context.logger.notice("console second factor refused", metadata: ["client_address": "\(address)", "user_id": "\(user.id)"])
            throw Self.wrongCode
        }
        // One session per challenge, even when the same right code arrives twice at once.
        guard try await accounts.endChallenge(tokenDigest: digest) else { throw Self.challengeExpired }
        try await throttle.succeeded(attempt: attempt, address: address, email: user.email)
        return try await sessions.start(for: user, request: request, context: context)
    }

    /// Counts an attempt, or refuses it with 429 and `Retry-After`.
    func admit(address: String, email: String, context: AppRequestContext) async throws -> Int64 {
        switch try await throttle.admit(address: address, email: email) {
        case .admitted(let id): return id
        case .refused(let seconds):
            context.logger.notice("console sign-in throttled", metadata: ["client_address": "\(address)", "retry_after": "\(seconds)"])
            throw APIError(
                .tooManyRequests, code: "RATE_LIMITED", message: "Too many sign-in attempts; retry later", headers: [.retryAfter: String(seconds)])
        }
    }

    /// The signed-in member and organization, or 401.
    @Sendable func current(_ request: Request, context: ConsoleContext) async throws -> SessionView {
        SessionView(context.member, expiresAt: nil)
    }

    /// Ends the session, if there is one, and clears the cookie: 204 either way.
    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let token = request.cookies[ConsoleAuthenticator.cookieName]?.value, !token.isEmpty {
            try await accounts.deleteSession(tokenDigest: ConsoleAuthenticator.digest(token))
        }
        var response = Response(status: .noContent)
        response.setCookie(sessions.cookie(value: "", maxAge: 0))
        return response
    }

    static let wrongCredentials = APIError(.unauthorized, code: "UNAUTHORIZED", message: "Email or password is incorrect")
    static let wrongCode = APIError(.unauthorized, code: "UNAUTHORIZED", message: "The code is incorrect or was used already")
    static let challengeExpired = APIError(
        .unauthorized, code: "CHALLENGE_EXPIRED", message: "This sign-in has expired or had too many wrong codes: sign in with your password again")
}
