import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import KeyService

/// The role table (docs/api-guide.md, "Members and roles") walked from the console's own route
/// table: every console route, called by a member of every role, is refused with 403 and the
/// route's `requiredRole` exactly when the role is below it, and otherwise reaches its handler.
@Suite("Every console route against every role")
struct ConsoleRoleMatrixTests {
    /// What the contract's table says, route by route: a change here is a change of the table.
    static let expected: [String: ConsoleRole] = [
        "GET /console/api/session": .VIEWER,
        "GET /console/api/keys": .VIEWER, "POST /console/api/keys": .DEVELOPER, "GET /console/api/keys/{id}": .VIEWER,
        "PATCH /console/api/keys/{id}": .DEVELOPER, "POST /console/api/keys/revoke-all": .ADMIN,
        "POST /console/api/keys/{id}/roll": .DEVELOPER, "POST /console/api/keys/{id}/revoke": .DEVELOPER,
        "GET /console/api/audit-events": .VIEWER,
        "GET /console/api/members": .VIEWER, "PATCH /console/api/members/{id}": .ADMIN, "DELETE /console/api/members/{id}": .ADMIN,
        "GET /console/api/invitations": .VIEWER, "POST /console/api/invitations": .ADMIN, "DELETE /console/api/invitations/{id}": .ADMIN,
        "GET /console/api/organization": .VIEWER, "PATCH /console/api/organization": .OWNER,
        "POST /console/api/me/two-factor": .VIEWER, "POST /console/api/me/two-factor/confirm": .VIEWER,
        "DELETE /console/api/me/two-factor": .VIEWER,
        "GET /console/api/me/sessions": .VIEWER, "DELETE /console/api/me/sessions/{id}": .VIEWER, "DELETE /console/api/me/sessions": .VIEWER,
        "POST /console/api/me/password": .VIEWER,
        "GET /console/api/webhook-endpoints": .VIEWER, "POST /console/api/webhook-endpoints": .ADMIN,
        "GET /console/api/webhook-endpoints/{id}": .VIEWER, "PATCH /console/api/webhook-endpoints/{id}": .ADMIN,
        "DELETE /console/api/webhook-endpoints/{id}": .ADMIN, "POST /console/api/webhook-endpoints/{id}/roll-secret": .ADMIN,
        "POST /console/api/webhook-endpoints/{id}/test": .ADMIN, "GET /console/api/webhook-endpoints/{id}/deliveries": .VIEWER,
        "POST /console/api/webhook-endpoints/{id}/deliveries/{deliveryId}/retry": .ADMIN,
        "POST /console/api/webhook-endpoints/{id}/recover": .ADMIN,
    ]

    @Test func theRouteTableIsTheDocumentedOne() async throws {
        let table = try await KeyServiceHarness().consoleRouteTable()
        #expect(Dictionary(uniqueKeysWithValues: table.map { ("\($0.method) \($0.path)", $0.role) }) == Self.expected)
    }

    @Test func everyRouteRefusesEveryRoleBelowItsOwn() async throws {
        let harness = try await KeyServiceHarness()
        let table = try harness.consoleRouteTable()
        try await harness.run { client in
            let owner = try await client.signedInAdmin()
            var cookies: [ConsoleRole: String] = [.OWNER: owner]
            for role in [ConsoleRole.ADMIN, .DEVELOPER, .VIEWER] { cookies[role] = try await client.member(role, invitedWith: owner).cookie }
            for route in table {
                let path = route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString.lowercased())
                    .replacingOccurrences(of: "{deliveryId}", with: UUID().uuidString.lowercased())
                for role in ConsoleRole.allCases {
                    let body: [String: any Sendable]? = route.method == .get ? nil : [:]
                    let response = try await client.console(route.method, path, cookie: cookies[role], body: body)
                    if role < route.role {
                        #expect(response.status == .forbidden, "\(route) as \(role)")
                        let error = try errorOf(response)
                        #expect(error.code == "FORBIDDEN" && error.requiredRole == route.role.rawValue, "\(route) as \(role)")
                    } else {
                        #expect(![.forbidden, .unauthorized].contains(response.status), "\(route) as \(role): \(String(buffer: response.body))")
                    }
                }
                // And without a session, every one is 401.
                let anonymous = try await client.console(route.method, path, cookie: nil, body: route.method == .get ? nil : [:])
                #expect(anonymous.status == .unauthorized, "\(route) without a session")
            }
        }
    }
}
