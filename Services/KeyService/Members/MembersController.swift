import Foundation
import Hummingbird
import Logging
import Shared

/// `/console/api/members`, `/console/api/invitations` and `/console/api/organization`: an
/// organization's people (docs/api-guide.md, "Members and roles").
struct MembersController: Sendable {
    let accounts: ConsoleAccountRepository
    let passwords: PasswordChecker
    let sessions: SessionIssuer
    let bcryptCost: Int

    /// Adds the member routes with their least roles, and accepting an invitation on `group`
    /// (no session: the invitation's token is the credential).
    func addRoutes(to routes: ConsoleRoutes, public group: RouterGroup<AppRequestContext>) {
        routes.get("members", .VIEWER, use: list)
        routes.patch("members/{id}", .ADMIN, use: changeRole)
        routes.delete("members/{id}", .ADMIN, use: remove)
        routes.get("invitations", .VIEWER, use: invitations)
        routes.post("invitations", .ADMIN, use: invite)
        routes.delete("invitations/{id}", .ADMIN, use: cancel)
        routes.get("organization", .VIEWER, use: organization)
        routes.patch("organization", .OWNER, use: updateOrganization)
        group.post("invitations/accept", use: accept)
    }

    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> ListView<MemberView> {
        ListView(data: try await accounts.members(organizationId: context.member.organizationId))
    }

    struct RoleChange: Decodable {
        let role: String
    }

    /// Gives a member another role; it holds from their next request.
    @Sendable func changeRole(_ request: Request, context: ConsoleContext) async throws -> MemberView {
        let id = try context.parameters.uuid("id")
        let role = try ConsoleRole.parse(try await request.decodeJSON(as: RoleChange.self, context: context).role)
        let old = try await Self.answer { try await accounts.changeRole(of: id, to: role, actor: context.member) }
        context.logger.info("member role changed", metadata: ["subject_id": "\(id)", "from": "\(old.rawValue)", "to": "\(role.rawValue)"])
        guard let member = try await accounts.members(organizationId: context.member.organizationId).first(where: { $0.id == id.apiString }) else {
            throw Self.memberNotFound
        }
        return member
    }

    /// Removes a member: their sessions end at once; the keys they created keep working.
    @Sendable func remove(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        try await Self.answer { try await accounts.remove(id, actor: context.member) }
        context.logger.info("member removed", metadata: ["subject_id": "\(id)"])
        return Response(status: .noContent)
    }

    @Sendable func invitations(_ request: Request, context: ConsoleContext) async throws -> ListView<InvitationView> {
        ListView(data: try await accounts.pendingInvitations(organizationId: context.member.organizationId))
    }

    struct Invite: Decodable {
        let email: String
        let role: String
    }

    /// Invites a colleague: 201 with the invitation's URL, shown this once (the platform sends
    /// no mail; the inviter passes it on). The token is in the URL's fragment, which browsers
    /// never send to a server, so no access log or proxy sees it.
    @Sendable func invite(_ request: Request, context: ConsoleContext) async throws -> EditedResponse<InvitationView> {
        let body = try await request.decodeJSON(as: Invite.self, context: context)
        let email = WhiteSpace.trimmed(body.email)
        guard email.count <= 320, EmailAddress.parse(email) != nil else { throw APIError.invalidField("email", "must be an email address") }
        let role = try ConsoleRole.parse(body.role)
        let token = ConsoleAuthenticator.newToken()
        var invitation = try await Self.answer {
            try await accounts.invite(email: email, role: role, tokenDigest: ConsoleAuthenticator.digest(token), actor: context.member)
        }
        let origin = "\(sessions.clientAddress.scheme(of: request, context: context))://\(request.head.authority ?? "localhost")"
        invitation.invitationUrl = "\(origin)/console#invitation=\(token)"
        context.logger.info("member invited", metadata: ["invitation_id": "\(invitation.id)", "role": "\(role.rawValue)"])
        return EditedResponse(
            status: .created, headers: [.location: "/console/api/invitations/\(invitation.id)", .cacheControl: "no-store"], response: invitation)
    }

    @Sendable func cancel(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.uuid("id")
        do {
            try await Self.answer { try await accounts.cancelInvitation(id, actor: context.member) }
        } catch let error as APIError where error.code == "NOT_FOUND" {
            throw APIError.notFound("Invitation not found (or no longer pending)")
        }
        return Response(status: .noContent)
    }

    struct Accept: Decodable {
        let token: String
        let password: String
    }

    /// Accepts an invitation: the person sets their password, becomes a member and is signed in (201).
    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Accept.self, context: context)
        guard !body.token.isEmpty, body.token.utf8.count <= 128 else { throw Self.invitationNotFound }
        try Self.checkPassword(body.password, field: "password")
        let hash = try await passwords.hash(body.password, cost: bcryptCost)
        let member: ConsoleUser
        do {
            member = try await accounts.acceptInvitation(tokenDigest: ConsoleAuthenticator.digest(body.token), passwordHash: hash)
        } catch MemberChangeError.notFound {
            throw Self.invitationNotFound
        } catch MemberChangeError.emailExists {
            throw Self.emailExists
        }
        context.logger.info("member joined", metadata: ["user_id": "\(member.id)"])
        return try await sessions.start(for: member, status: .created, request: request, context: context)
    }

    struct OrganizationView: ResponseEncodable {
        let id: String
        let name: String
        let requireTwoFactor: Bool
    }

    @Sendable func organization(_ request: Request, context: ConsoleContext) async throws -> OrganizationView {
        let member = context.member
        return OrganizationView(
            id: member.organizationId.apiString, name: member.organizationName, requireTwoFactor: member.organizationRequiresTwoFactor)
    }

    struct OrganizationUpdate: Decodable {
        let requireTwoFactor: Bool?
    }

    /// The OWNER's settings: `requireTwoFactor`.
    @Sendable func updateOrganization(_ request: Request, context: ConsoleContext) async throws -> OrganizationView {
        let body = try await request.decodeJSON(as: OrganizationUpdate.self, context: context)
        guard let required = body.requireTwoFactor else { throw APIError.invalidField("requireTwoFactor", "is required") }
        let member = context.member
        if required != member.organizationRequiresTwoFactor {
            try await accounts.setRequireTwoFactor(required, actor: member)
            context.logger.notice("organization settings changed", metadata: ["require_two_factor": "\(required)"])
        }
        return OrganizationView(id: member.organizationId.apiString, name: member.organizationName, requireTwoFactor: required)
    }

    /// A password's rule: 8 to 72 bytes (bcrypt reads no further).
    static func checkPassword(_ password: String, field: String) throws {
        guard (8...72).contains(password.utf8.count) else { throw APIError.invalidField(field, "must be 8 to 72 bytes") }
    }

    /// Runs a change, turning what the repository refused into the API's errors.
    static func answer<Result>(_ change: () async throws -> Result) async throws -> Result {
        do {
            return try await change()
        } catch MemberChangeError.notFound {
            throw memberNotFound
        } catch MemberChangeError.lastOwner {
            throw APIError.unprocessable("LAST_OWNER", "An organization keeps at least one OWNER: make another member OWNER first")
        } catch MemberChangeError.emailExists {
            throw emailExists
        }
    }

    static let memberNotFound = APIError.notFound("Member not found")
    static let invitationNotFound = APIError(
        .notFound, code: "INVITATION_NOT_FOUND", message: "This invitation is unknown, used, cancelled or expired: ask for a new one")
    static let emailExists = APIError.conflict("EMAIL_ALREADY_EXISTS", "A console user with this email already exists")
}

/// `{"data": [...]}`: a short list that needs no pages.
struct ListView<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let data: [Item]
}
