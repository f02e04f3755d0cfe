import Foundation
import Hummingbird
import Logging
import Shared

/// `/console/api/keys`: an organization's keys, for signed-in console users (docs/api-guide.md, "The console").
struct APIKeyController: Sendable {
    static let maxNameLength = 100

    let keys: APIKeyRepository

    /// Adds list, create, read, rename, roll and revoke, with the roles of docs/api-guide.md
    /// ("Members and roles"): everyone reads; a DEVELOPER creates, and changes the keys they
    /// created (`mayChange`); an ADMIN changes any key and revokes them all.
    func addRoutes(to routes: ConsoleRoutes) {
        routes.get("keys", .VIEWER, use: list)
        routes.post("keys", .DEVELOPER, use: create)
        routes.get("keys/{id}", .VIEWER, use: get)
        routes.patch("keys/{id}", .DEVELOPER, use: rename)
        routes.post("keys/revoke-all", .ADMIN, use: revokeAll)
        routes.post("keys/{id}/roll", .DEVELOPER, use: roll)
        routes.post("keys/{id}/revoke", .DEVELOPER, use: revoke)
    }

    /// Refuses a DEVELOPER's change to a key someone else created (403, `requiredRole` ADMIN);
    /// a key the organization does not have is left to the handler's 404.
    func mayChange(_ id: UUID, _ member: ConsoleUser) async throws {
        guard member.role == .DEVELOPER else { return }
        guard let creator = try await keys.creator(of: id, organizationId: member.organizationId) else { return }
        if creator != member.id { throw ConsoleRole.forbidden(requiredRole: .ADMIN, "changing a key another member created") }
    }

    /// `POST {id}/roll`: when the old key stops working, 0 (now) to 7 days; 24 hours by default.
    struct Roll: Decodable {
        let expiresInSeconds: Int?

        static let range = 0...604_800
        static let standard = 86_400
    }

    struct Create: Decodable {
        let name: String
        let scopes: [String]
    }

    /// A rename; `scopes` is remembered only to refuse it, whatever its value.
    struct Update: Decodable {
        let name: String?
        let hasScopes: Bool

        enum CodingKeys: String, CodingKey { case name, scopes }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.name = try container.decodeIfPresent(String.self, forKey: .name)
            self.hasScopes = container.contains(.scopes)
        }
    }

    /// One page of keys, usable ones first, filtered by `status` and `search`; never a key's plaintext.
    @Sendable func list(_ request: Request, context: ConsoleContext) async throws -> Page<APIKeyView> {
        let user = context.member
        let page = try PageRequest(from: request)
        let filters = try APIKeyFilters(from: request)
        let (records, total) = try await keys.list(organizationId: user.organizationId, filters: filters, page: page)
        return Page(data: records.map { APIKeyView($0) }, request: page, total: total)
    }

    /// Creates a key; the only response that ever holds its plaintext.
    @Sendable func create(_ request: Request, context: ConsoleContext) async throws -> EditedResponse<APIKeyView> {
        let user = context.member
        let body = try await request.decodeJSON(as: Create.self, context: context)
        let name = try Self.validName(body.name)
        let scopes = try Scope.parseList(body.scopes)
        let token = APIKeyToken.generate()
        let record = try await keys.create(token: token, organizationId: user.organizationId, name: name, scopes: scopes, actor: user)
        context.logger.info("api key created", metadata: ["key_id": "\(record.id)", "prefix": "\(record.prefix)"])
        return EditedResponse(
            status: .created,
            headers: [.location: "/console/api/keys/\(record.id.apiString)", .cacheControl: "no-store"],
            response: APIKeyView(record, key: token.value)
        )
    }

    /// One key of the organization; another organization's key is 404 like a missing one.
    @Sendable func get(_ request: Request, context: ConsoleContext) async throws -> APIKeyView {
        let user = context.member
        let id = try context.parameters.uuid("id")
        guard let record = try await keys.find(id: id, organizationId: user.organizationId) else { throw Self.notFound }
        return APIKeyView(record)
    }

    /// Renames a key; scopes never change (422 `SCOPES_IMMUTABLE`).
    @Sendable func rename(_ request: Request, context: ConsoleContext) async throws -> APIKeyView {
        let user = context.member
        let id = try context.parameters.uuid("id")
        try await mayChange(id, user)
        let body = try await request.decodeJSON(as: Update.self, context: context)
        if body.hasScopes {
            throw APIError.unprocessable(
                "SCOPES_IMMUTABLE",
                "A key's scopes cannot be changed. Create a new key with the scopes you need, switch to it, then revoke this one."
            )
        }
        guard let rawName = body.name else { throw APIError.invalidField("name", "is required") }
        let name = try Self.validName(rawName)
        guard let record = try await keys.rename(id: id, organizationId: user.organizationId, name: name, actor: user) else { throw Self.notFound }
        return APIKeyView(record)
    }

    /// Rolls a key (docs/api-guide.md, "Rotating a key"): 201 with its successor, shown once, with the same name and
    /// scopes; the old key expires after the grace asked for.
    @Sendable func roll(_ request: Request, context: ConsoleContext) async throws -> EditedResponse<APIKeyView> {
        let user = context.member
        let id = try context.parameters.uuid("id")
        try await mayChange(id, user)
        // The body is optional: none means the standard grace.
        let seconds = try await request.decodeOptionalJSON(as: Roll.self, context: context)?.expiresInSeconds
        let grace = seconds ?? Roll.standard
        guard Roll.range.contains(grace) else { throw APIError.invalidField("expiresInSeconds", "must be from 0 to 604800 (7 days)") }
        let token = APIKeyToken.generate()
        guard
            let (old, successor) = try await keys.roll(
                id: id, organizationId: user.organizationId, expiresIn: .seconds(grace), token: token, actor: user)
        else {
            throw Self.notFound
        }
        context.logger.info("api key rolled", metadata: ["key_id": "\(old.id)", "successor_id": "\(successor.id)", "expires_in": "\(grace)"])
        return EditedResponse(
            status: .created,
            headers: [.location: "/console/api/keys/\(successor.id.apiString)", .cacheControl: "no-store"],
            response: APIKeyView(successor, key: token.value)
        )
    }

    struct RevokeAll: Decodable {
        let confirm: String
    }

    struct RevokedCount: ResponseEncodable {
        let revoked: Int
    }

    /// Incident response (docs/api-guide.md, "Leaked keys"): revokes every active and expiring key of the admin's
    /// organization, once its name is typed as confirmation.
    @Sendable func revokeAll(_ request: Request, context: ConsoleContext) async throws -> RevokedCount {
        let user = context.member
        let body = try await request.decodeJSON(as: RevokeAll.self, context: context)
        guard body.confirm.trimmingCharacters(in: .whitespaces) == user.organizationName else {
            throw APIError.unprocessable("CONFIRMATION_MISMATCH", "Type the organization's name exactly to revoke every key")
        }
        let revoked = try await keys.revokeAll(organizationId: user.organizationId, actor: user)
        context.logger.warning("every api key revoked", metadata: ["organization_id": "\(user.organizationId)", "count": "\(revoked)"])
        return RevokedCount(revoked: revoked)
    }

    /// Revokes a key for good; revoking it again is 200 and changes nothing.
    @Sendable func revoke(_ request: Request, context: ConsoleContext) async throws -> APIKeyView {
        let user = context.member
        let id = try context.parameters.uuid("id")
        try await mayChange(id, user)
        guard let record = try await keys.revoke(id: id, organizationId: user.organizationId, actor: user) else { throw Self.notFound }
        context.logger.info("api key revoked", metadata: ["key_id": "\(record.id)"])
        return APIKeyView(record)
    }

    /// The trimmed name, 1 to 100 characters without control characters.
    static func validName(_ raw: String) throws -> String {
        let name = WhiteSpace.trimmed(raw)
        guard !name.isEmpty else { throw APIError.invalidField("name", "is required") }
        guard name.count <= maxNameLength else { throw APIError.invalidField("name", "must be at most \(maxNameLength) characters") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.invalidField("name", "must not contain control characters")
        }
        return name
    }

    static let notFound = APIError.notFound("API key not found")
}
