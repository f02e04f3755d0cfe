import Foundation
import Hummingbird
import Logging
import Shared

/// `/console/api/me/sessions` and `/console/api/me/password`: a member's own sessions and password.
struct MeController: Sendable {
    let accounts: ConsoleAccountRepository
    let passwords: PasswordChecker
    /// A wrong current password counts as a failed sign-in: a stolen session cannot guess it faster.
    let throttle: SignInThrottle
    let clientAddress: ClientAddress
    let bcryptCost: Int

    func addRoutes(to routes: ConsoleRoutes) {
        routes.get("me/sessions", .VIEWER, use: sessions)
        routes.delete("me/sessions/{id}", .VIEWER, use: endSession)
        routes.delete("me/sessions", .VIEWER, use: endOtherSessions)
        routes.post("me/password", .VIEWER, use: changePassword)
    }

    struct SessionItem: Encodable, Sendable {
        let id: String
        let createdAt: Date
        let lastSeenAt: Date
        let address: String?
        let userAgent: String?
        let current: Bool
    }

    @Sendable func sessions(_ request: Request, context: ConsoleContext) async throws -> ListView<SessionItem> {
        let member = context.member
        return ListView(
            data: try await accounts.sessions(of: member).map {
                SessionItem(
                    id: $0.id.apiString, createdAt: $0.createdAt, lastSeenAt: $0.lastSeenAt, address: $0.address, userAgent: $0.userAgent,
                    current: $0.id == member.sessionId)
            })
    }

    /// Ends one of the member's sessions (the current one too: that signs out).
    @Sendable func endSession(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        guard try await accounts.endSessions(of: context.member, id: id, except: nil) == 1 else { throw APIError.notFound("Session not found") }
        return Response(status: .noContent)
    }

    /// Ends every session of the member but this one.
    @Sendable func endOtherSessions(_ request: Request, context: ConsoleContext) async throws -> Response {
        let ended = try await accounts.endSessions(of: context.member, id: nil, except: context.member.sessionId)
        context.logger.info("other console sessions ended", metadata: ["count": "\(ended)"])
        return Response(status: .noContent)
    }

    struct PasswordChange: Decodable {
        let currentPassword: String
        let newPassword: String
    }

    /// A new password, given the current one: every other session of the member ends.
    @Sendable func changePassword(_ request: Request, context: ConsoleContext) async throws -> Response {
        let body = try await request.decodeJSON(as: PasswordChange.self, context: context)
        try MembersController.checkPassword(body.newPassword, field: "newPassword")
        let address = clientAddress.of(request, context: context)
        guard !passwords.isFull else { throw PasswordChecker.busy }
        let attempt: Int64
        switch try await throttle.admit(address: address, email: context.member.email) {
        case .admitted(let id): attempt = id
        case .refused(let seconds):
            throw APIError(
                .tooManyRequests, code: "RATE_LIMITED", message: "Too many wrong passwords; retry later", headers: [.retryAfter: String(seconds)])
        }
        guard body.currentPassword.utf8.count <= 72, let current = try await accounts.passwordHash(of: context.member),
            try await passwords.verify(body.currentPassword, hash: current)
        else {
            throw APIError.unprocessable("WRONG_PASSWORD", "The current password is incorrect")
        }
        try await throttle.succeeded(attempt: attempt, address: address, email: context.member.email)
        let hash = try await passwords.hash(body.newPassword, cost: bcryptCost)
        guard try await accounts.changePassword(of: context.member, from: current, to: hash) else {
            throw APIError.conflict("PASSWORD_CHANGED", "The password was changed meanwhile; sign in again")
        }
        context.logger.notice("console password changed")
        return Response(status: .noContent)
    }
}
