import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

@Suite("Members, invitations and roles")
struct MembersTests {
    struct Member: Decodable {
        let id: String
        let email: String
        let role: String
        let twoFactorEnabled: Bool
        let joinedAt: Date
        let lastSignInAt: Date?
    }
    struct Members: Decodable { let data: [Member] }

    @Test func anInvitationIsShownOnceWorksOnceAndMakesAMember() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let invited = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": " Dev@Example.com ", "role": "DEVELOPER"])
            #expect(invited.status == .created)
            #expect(invited.headers[.cacheControl] == "no-store")
            struct Invitation: Decodable {
                let id: String
                let email: String
                let role: String
                let createdAt: Date
                let expiresAt: Date
                let invitationUrl: String?
            }
            let invitation = try decode(Invitation.self, invited)
            #expect(invitation.email == "Dev@Example.com" && invitation.role == "DEVELOPER")
            #expect(abs(invitation.expiresAt.timeIntervalSince(invitation.createdAt) - 72 * 3600) < 2)
            #expect(invitation.invitationUrl?.hasPrefix("http://localhost/console#invitation=") == true)
            let token = try client.invitationToken(invited)
            // Listed without its URL; stored only as a digest.
            let pending = try await client.console(.get, "/console/api/invitations", cookie: owner)
            struct Pending: Decodable { let data: [Invitation] }
            #expect(try decode(Pending.self, pending).data.map(\.id) == [invitation.id])
            #expect(try decode(Pending.self, pending).data.first?.invitationUrl == nil)
            let stored = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("SELECT row_to_json(i)::text FROM console_invitations i").collect().first?.decode(String.self)
            }
            #expect(stored?.contains(token) == false)
            // A password too short is 400, and the invitation still works afterwards.
            #expect(try await client.accept(token, password: "short").status == .badRequest)
            let accepted = try await client.accept(token, password: KeyServiceHarness.password)
            #expect(accepted.status == .created)
            let cookie = String(try #require(accepted.headers[.setCookie]).split(separator: ";")[0])
            let me = try await client.console(.get, "/console/api/session", cookie: cookie)
            #expect(String(buffer: me.body).contains(#""role":"DEVELOPER""#))
            // Used: 404 INVITATION_NOT_FOUND, like an unknown token.
            for unknown in [token, "nonsense", String(repeating: "x", count: 500)] {
                let again = try await client.accept(unknown, password: KeyServiceHarness.password)
                #expect(again.status == .notFound)
                #expect(try errorOf(again).code == "INVITATION_NOT_FOUND")
            }
            let members = try decode(Members.self, try await client.console(.get, "/console/api/members", cookie: owner)).data
            #expect(members.map(\.role) == ["OWNER", "DEVELOPER"])
            #expect(members[1].email == "Dev@Example.com" && members[1].twoFactorEnabled == false && members[1].lastSignInAt != nil)
            // The new member signs in with their own password.
            _ = try await client.signIn(email: "dev@example.com")
            // An email that is a console user anywhere cannot be invited.
            let taken = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": "DEV@example.com", "role": "VIEWER"])
            #expect(taken.status == .conflict)
            #expect(try errorOf(taken).code == "EMAIL_ALREADY_EXISTS")
        }
    }

    @Test func cancelledAndExpiredInvitationsAreNotFound() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let first = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": "a@example.com", "role": "VIEWER"])
            struct Created: Decodable { let id: String }
            let id = try decode(Created.self, first).id
            #expect(try await client.console(.delete, "/console/api/invitations/\(id)", cookie: owner).status == .noContent)
            #expect(try await client.console(.delete, "/console/api/invitations/\(id)", cookie: owner).status == .notFound)
            #expect(try await client.accept(try client.invitationToken(first), password: KeyServiceHarness.password).status == .notFound)
            let second = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": "b@example.com", "role": "VIEWER"])
            _ = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("UPDATE console_invitations SET expires_at = now() - interval '1 second'")
            }
            #expect(try await client.accept(try client.invitationToken(second), password: KeyServiceHarness.password).status == .notFound)
            // Inviting the same email again replaces the pending invitation.
            let third = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": "c@example.com", "role": "VIEWER"])
            let fourth = try await client.console(
                .post, "/console/api/invitations", cookie: owner, body: ["email": "C@example.com", "role": "ADMIN"])
            #expect(try await client.accept(try client.invitationToken(third), password: KeyServiceHarness.password).status == .notFound)
            #expect(try await client.accept(try client.invitationToken(fourth), password: KeyServiceHarness.password).status == .created)
            let events = try await client.console(.get, "/console/api/audit-events?type=invitation.cancelled", cookie: owner)
            #expect(String(buffer: events.body).contains(#""action":"invitation.cancelled""#))
        }
    }

    @Test func invalidInvitationsAre400() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            for body: [String: any Sendable] in [
                ["email": "nope", "role": "VIEWER"], ["email": "a@b.co", "role": "KING"], ["email": "a@b.co"], ["role": "VIEWER"],
            ] {
                #expect(try await client.console(.post, "/console/api/invitations", cookie: owner, body: body).status == .badRequest)
            }
        }
    }

    @Test func anAdminManagesDevelopersAndViewersOnly() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let admin = try await client.member(.ADMIN, invitedWith: owner)
            let other = try await client.member(.ADMIN, invitedWith: owner)
            let viewer = try await client.member(.VIEWER, invitedWith: owner)
            for (body, required) in [
                (["email": "x@example.com", "role": "ADMIN"], "OWNER"), (["email": "y@example.com", "role": "OWNER"], "OWNER"),
            ] {
                let refused = try await client.console(.post, "/console/api/invitations", cookie: admin.cookie, body: body)
                #expect(try requiredRole(refused) == required)
            }
            #expect(
                try await client.console(
                    .post, "/console/api/invitations", cookie: admin.cookie, body: ["email": "z@example.com", "role": "DEVELOPER"]
                ).status == .created)
            // Not another ADMIN, and no one up to ADMIN.
            let demote = try await client.console(.patch, "/console/api/members/\(other.id)", cookie: admin.cookie, body: ["role": "VIEWER"])
            #expect(try requiredRole(demote) == "OWNER")
            let promote = try await client.console(.patch, "/console/api/members/\(viewer.id)", cookie: admin.cookie, body: ["role": "ADMIN"])
            #expect(try requiredRole(promote) == "OWNER")
            let removeAdmin = try await client.console(.delete, "/console/api/members/\(other.id)", cookie: admin.cookie)
            #expect(try requiredRole(removeAdmin) == "OWNER")
            let changed = try await client.console(.patch, "/console/api/members/\(viewer.id)", cookie: admin.cookie, body: ["role": "DEVELOPER"])
            #expect(changed.status == .ok && String(buffer: changed.body).contains(#""role":"DEVELOPER""#))
            #expect(
                try await client.console(.patch, "/console/api/members/\(viewer.id)", cookie: admin.cookie, body: ["role": "CZAR"]).status
                    == .badRequest)
        }
    }

    @Test func theLastOwnerCannotBeRemovedOrDemoted() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let members = try decode(Members.self, try await client.console(.get, "/console/api/members", cookie: owner)).data
            let ownerId = members[0].id
            for (method, body) in [(HTTPRequest.Method.patch, ["role": "ADMIN"] as [String: any Sendable]?), (.delete, nil)] {
                let refused = try await client.console(method, "/console/api/members/\(ownerId)", cookie: owner, body: body)
                #expect(refused.status == .unprocessableContent)
                #expect(try errorOf(refused).code == "LAST_OWNER")
            }
            // With a second OWNER, the first may step down.
            let second = try await client.member(.OWNER, invitedWith: owner)
            #expect(try await client.console(.patch, "/console/api/members/\(ownerId)", cookie: second.cookie, body: ["role": "ADMIN"]).status == .ok)
            let last = try await client.console(.delete, "/console/api/members/\(second.id)", cookie: second.cookie)
            #expect(last.status == .unprocessableContent)
        }
    }

    /// Two OWNERs demoting each other at once: one wins, and an OWNER is left.
    @Test func twoOwnersDemotingEachOtherAtOnceLeaveOne() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let members = try decode(Members.self, try await client.console(.get, "/console/api/members", cookie: owner)).data
            let second = try await client.member(.OWNER, invitedWith: owner)
            async let a = client.console(.patch, "/console/api/members/\(second.id)", cookie: owner, body: ["role": "ADMIN"])
            async let b = client.console(.patch, "/console/api/members/\(members[0].id)", cookie: second.cookie, body: ["role": "ADMIN"])
            let statuses = [try await a.status, try await b.status]
            let now = try decode(Members.self, try await client.console(.get, "/console/api/members", cookie: owner)).data
            #expect(now.filter { $0.role == "OWNER" }.count == 1, "\(statuses)")
        }
    }

    @Test func aRoleChangeAndARemovalHoldFromTheNextRequest() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let viewer = try await client.member(.VIEWER, invitedWith: owner)
            let refused = try await client.console(.post, "/console/api/keys", cookie: viewer.cookie, body: ["name": "n", "scopes": ["jobs:read"]])
            #expect(try requiredRole(refused) == "DEVELOPER")
            _ = try await client.console(.patch, "/console/api/members/\(viewer.id)", cookie: owner, body: ["role": "DEVELOPER"])
            let key = try await client.createKey(cookie: viewer.cookie)
            // Removed: the open session is refused at once; the key they made keeps working and its creator.
            #expect(try await client.console(.delete, "/console/api/members/\(viewer.id)", cookie: owner).status == .noContent)
            #expect(try await client.console(.get, "/console/api/keys", cookie: viewer.cookie).status == .unauthorized)
            let signIn = try await client.console(
                .post, "/console/api/session", cookie: nil, body: ["email": viewer.email, "password": KeyServiceHarness.password])
            #expect(signIn.status == .unauthorized)
            #expect(String(buffer: try await client.introspect(try #require(key.key)).body).contains(#""active":true"#))
            let listed = try await client.console(.get, "/console/api/keys/\(key.id.uuidString.lowercased())", cookie: owner)
            #expect(try decode(KeyServiceHarness.KeyBody.self, listed).createdBy == viewer.email)
            #expect(try await client.console(.delete, "/console/api/members/\(viewer.id)", cookie: owner).status == .notFound)
            // Removed, the email may be invited again.
            #expect(
                try await client.console(.post, "/console/api/invitations", cookie: owner, body: ["email": viewer.email, "role": "VIEWER"]).status
                    == .created)
        }
    }

    @Test func aDeveloperChangesTheKeysTheyCreatedOnly() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let developer = try await client.member(.DEVELOPER, invitedWith: owner)
            let theirs = try await client.createKey(cookie: developer.cookie)
            let others = try await client.createKey(cookie: owner)
            let otherId = others.id.uuidString.lowercased()
            for (method, path, body) in [
                (HTTPRequest.Method.patch, "/console/api/keys/\(otherId)", ["name": "mine now"] as [String: any Sendable]),
                (.post, "/console/api/keys/\(otherId)/roll", [:]), (.post, "/console/api/keys/\(otherId)/revoke", [:]),
            ] {
                let refused = try await client.console(method, path, cookie: developer.cookie, body: body)
                #expect(try requiredRole(refused) == "ADMIN", "\(method) \(path)")
            }
            let id = theirs.id.uuidString.lowercased()
            #expect(try await client.console(.patch, "/console/api/keys/\(id)", cookie: developer.cookie, body: ["name": "renamed"]).status == .ok)
            #expect(try await client.console(.post, "/console/api/keys/\(id)/revoke", cookie: developer.cookie, body: [:]).status == .ok)
            // An ADMIN changes anyone's.
            let admin = try await client.member(.ADMIN, invitedWith: owner)
            #expect(try await client.console(.post, "/console/api/keys/\(otherId)/revoke", cookie: admin.cookie, body: [:]).status == .ok)
        }
    }

    @Test func theAuditLogSaysWhoDidWhatToWhomAndFilters() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let admin = try await client.member(.ADMIN, invitedWith: owner)
            let viewer = try await client.member(.VIEWER, invitedWith: admin.cookie)
            _ = try await client.console(.patch, "/console/api/members/\(viewer.id)", cookie: admin.cookie, body: ["role": "DEVELOPER"])
            _ = try await client.console(.delete, "/console/api/members/\(viewer.id)", cookie: admin.cookie)
            struct Event: Decodable {
                let action: String
                let actor: String?
                let actorId: String?
                let subject: String?
                let subjectId: String?
                let details: [String: String]
            }
            struct Events: Decodable { let data: [Event] }
            let all = try decode(Events.self, try await client.console(.get, "/console/api/audit-events", cookie: owner)).data
            #expect(
                all.map(\.action) == ["member.removed", "member.role_changed", "member.joined", "member.invited", "member.joined", "member.invited"])
            #expect(all[0].actorId == admin.id && all[0].subject == viewer.email && all[0].subjectId == viewer.id)
            #expect(all[1].details == ["from": "VIEWER", "to": "DEVELOPER"])
            let byAdmin = try decode(Events.self, try await client.console(.get, "/console/api/audit-events?actor=\(admin.id)", cookie: owner)).data
            #expect(byAdmin.map(\.action) == ["member.removed", "member.role_changed", "member.invited", "member.joined"])
            let joins = try decode(
                Events.self, try await client.console(.get, "/console/api/audit-events?type=member.joined&actor=\(admin.id)", cookie: owner)
            ).data
            #expect(joins.count == 1)
            #expect(try await client.console(.get, "/console/api/audit-events?type=member.exploded", cookie: owner).status == .badRequest)
            #expect(try await client.console(.get, "/console/api/audit-events?actor=me", cookie: owner).status == .badRequest)
        }
    }
}
