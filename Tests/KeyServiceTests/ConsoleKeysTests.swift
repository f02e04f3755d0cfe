import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Shared
import TestSupport
import Testing

@testable import KeyService

@Suite("Console API keys")
struct ConsoleKeysTests {
    @Test func creatingAKeyReturnsItOnceWithLocation() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let response = try await client.console(
                .post, "/console/api/keys", cookie: cookie, body: ["name": "  ATS sync ", "scopes": ["jobs:write", "jobs:read", "jobs:read"]])
            #expect(response.status == .created)
            let body = try decode(KeyServiceHarness.KeyBody.self, response)
            #expect(response.headers[.location] == "/console/api/keys/\(body.id.uuidString.lowercased())")
            #expect(String(buffer: response.body).contains(#""id":"\#(body.id.uuidString.lowercased())""#))
            #expect(response.headers[.cacheControl] == "no-store")
            let key = try #require(body.key)
            #expect(APIKeyToken(parsing: key) != nil)
            #expect(body.prefix == String(key.prefix(8)))
            #expect(body.name == "ATS sync")
            #expect(body.scopes == ["jobs:read", "jobs:write"])
            #expect(body.status == "ACTIVE")
            #expect(body.createdBy?.hasPrefix("admin-") == true)
            #expect(body.lastUsedAt == nil && body.revokedAt == nil)
            // Null fields are present, not omitted.
            let text = String(buffer: response.body)
            #expect(text.contains(#""lastUsedAt":null"#) && text.contains(#""revokedAt":null"#))
        }
    }

    @Test func onlyTheDigestAndPrefixAreStored() async throws {
        try await KeyServiceHarness().run { client in
            let key = try #require(try await client.createKey(cookie: try await client.signedInAdmin()).key)
            let rows = try await TestDatabase.withClient(client.databaseURL) { postgres in
                var rows: [(String, Data)] = []
                for try await row in try await postgres.query("SELECT prefix, digest FROM api_keys").decode((String, Data).self) {
                    rows.append(row)
                }
                return rows
            }
            #expect(rows.count == 1)
            #expect(rows[0].0 == String(key.prefix(8)))
            #expect(rows[0].1 == APIKeyToken(parsing: key)!.digest)
            let dump = try await TestDatabase.withClient(client.databaseURL) { postgres in
                var text = ""
                for try await row in try await postgres.query("SELECT row_to_json(k)::text FROM api_keys k").decode(String.self) { text += row }
                return text
            }
            #expect(!dump.contains(key.dropFirst(4).prefix(30)))
        }
    }

    static let invalidCreations: [([String: any Sendable], String)] = [
        (["scopes": ["jobs:read"]], "name"),
        (["name": "   ", "scopes": ["jobs:read"]], "name"),
        (["name": String(repeating: "n", count: 101), "scopes": ["jobs:read"]], "name"),
        (["name": "bad\u{7}", "scopes": ["jobs:read"]], "name"),
        (["name": "x"], "scopes"),
        (["name": "x", "scopes": [String]()], "scopes"),
        (["name": "x", "scopes": ["jobs:read", "jobs:delete"]], "scopes[1]"),
        (["name": "x", "scopes": "jobs:read"], "scopes"),
        (["name": 7, "scopes": ["jobs:read"]], "name"),
    ]

    @Test(arguments: 0..<ConsoleKeysTests.invalidCreations.count)
    func invalidCreationsAre400NamingTheField(index: Int) async throws {
        let (body, field) = Self.invalidCreations[index]
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let response = try await client.console(.post, "/console/api/keys", cookie: cookie, body: body)
            #expect(response.status == .badRequest)
            let error = try errorOf(response)
            #expect(error.code == "VALIDATION_ERROR")
            #expect(error.details?.first?.field == field)
            let list = try decode(Page<KeyServiceHarness.KeyBody>.self, try await client.console(.get, "/console/api/keys", cookie: cookie))
            #expect(list.data.isEmpty)
        }
    }

    @Test func theListIsNewestFirstPaginatedAndNeverShowsAKey() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            var created: [String] = []
            for index in 0..<5 {
                created.append(try #require(try await client.createKey(cookie: cookie, name: "key \(index)").key))
            }
            let first = try await client.console(.get, "/console/api/keys?pageSize=2", cookie: cookie)
            #expect(first.status == .ok)
            let page = try decode(Page<KeyServiceHarness.KeyBody>.self, first)
            #expect(page.data.map(\.name) == ["key 4", "key 3"])
            #expect(page.pagination == .init(page: 1, pageSize: 2, total: 5, totalPages: 3))
            #expect(page.data.allSatisfy { $0.key == nil })
            let last = try decode(
                Page<KeyServiceHarness.KeyBody>.self, try await client.console(.get, "/console/api/keys?page=3&pageSize=2", cookie: cookie))
            #expect(last.data.map(\.name) == ["key 0"])
            let text = String(buffer: first.body)
            #expect(!created.contains { text.contains($0) })
            #expect(try await client.console(.get, "/console/api/keys?pageSize=500", cookie: cookie).status == .badRequest)
        }
    }

    @Test func revokingIsFinalAndRepeatable() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let key = try await client.createKey(cookie: cookie)
            let first = try await client.console(.post, "/console/api/keys/\(key.id)/revoke", cookie: cookie)
            #expect(first.status == .ok)
            let revoked = try decode(KeyServiceHarness.KeyBody.self, first)
            #expect(revoked.status == "REVOKED")
            let revokedAt = try #require(revoked.revokedAt)
            let second = try await client.console(.post, "/console/api/keys/\(key.id)/revoke", cookie: cookie)
            #expect(second.status == .ok)
            #expect(try decode(KeyServiceHarness.KeyBody.self, second).revokedAt == revokedAt)
            // Even the database refuses to bring it back.
            await #expect(throws: PSQLError.self) {
                try await TestDatabase.withClient(client.databaseURL) { postgres in
                    try await postgres.query("UPDATE api_keys SET revoked_at = NULL")
                }
            }
        }
    }

    @Test func renamingWorksButScopesAreImmutable() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            let key = try await client.createKey(cookie: cookie, scopes: ["jobs:read"])
            let renamed = try await client.console(.patch, "/console/api/keys/\(key.id)", cookie: cookie, body: ["name": "renamed"])
            #expect(renamed.status == .ok)
            #expect(try decode(KeyServiceHarness.KeyBody.self, renamed).name == "renamed")
            let scopes = try await client.console(
                .patch, "/console/api/keys/\(key.id)", cookie: cookie, body: ["name": "again", "scopes": ["jobs:write"]])
            #expect(scopes.status == .unprocessableContent)
            let error = try errorOf(scopes)
            #expect(error.code == "SCOPES_IMMUTABLE")
            #expect(error.message.contains("revoke"))
            let after = try decode(KeyServiceHarness.KeyBody.self, try await client.console(.get, "/console/api/keys/\(key.id)", cookie: cookie))
            #expect(after.name == "renamed" && after.scopes == ["jobs:read"])
            #expect(try await client.console(.patch, "/console/api/keys/\(key.id)", cookie: cookie, body: [:]).status == .badRequest)
            #expect(try await client.console(.patch, "/console/api/keys/\(key.id)", cookie: cookie, body: ["name": ""]).status == .badRequest)
        }
    }

    @Test func anotherOrganizationsKeyIsNotFound() async throws {
        try await KeyServiceHarness().run { client in
            let owner = try await client.signedInAdmin()
            let stranger = try await client.signedInAdmin()
            let key = try await client.createKey(cookie: owner)
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/console/api/keys/\(key.id)", nil as [String: any Sendable]?),
                (.post, "/console/api/keys/\(key.id)/revoke", nil),
                (.patch, "/console/api/keys/\(key.id)", ["name": "mine now"]),
            ] {
                let response = try await client.console(method, path, cookie: stranger, body: body)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(try errorOf(response).code == "NOT_FOUND")
            }
            let list = try decode(Page<KeyServiceHarness.KeyBody>.self, try await client.console(.get, "/console/api/keys", cookie: stranger))
            #expect(list.data.isEmpty)
            let mine = try decode(KeyServiceHarness.KeyBody.self, try await client.console(.get, "/console/api/keys/\(key.id)", cookie: owner))
            #expect(mine.status == "ACTIVE" && mine.name == "integration")
        }
    }

    @Test func unknownAndMalformedIdsAre404And400() async throws {
        try await KeyServiceHarness().run { client in
            let cookie = try await client.signedInAdmin()
            #expect(try await client.console(.get, "/console/api/keys/\(UUID())", cookie: cookie).status == .notFound)
            #expect(try await client.console(.post, "/console/api/keys/\(UUID())/revoke", cookie: cookie).status == .notFound)
            #expect(try await client.console(.get, "/console/api/keys/not-a-uuid", cookie: cookie).status == .badRequest)
            #expect(try await client.console(.delete, "/console/api/keys/\(UUID())", cookie: cookie).status == .methodNotAllowed)
        }
    }

    @Test func everyKeyRouteNeedsASession() async throws {
        try await KeyServiceHarness().run { client in
            let id = UUID()
            for (method, path) in [
                (HTTPRequest.Method.get, "/console/api/keys"), (.post, "/console/api/keys"), (.get, "/console/api/keys/\(id)"),
                (.patch, "/console/api/keys/\(id)"), (.post, "/console/api/keys/\(id)/revoke"), (.get, "/console/api/audit-events"),
            ] {
                let response = try await client.console(method, path, cookie: nil, body: ["name": "x", "scopes": ["jobs:read"]])
                #expect(response.status == .unauthorized, "\(method) \(path)")
            }
        }
    }

    @Test func theAuditTrailRecordsWhoDidWhat() async throws {
        try await KeyServiceHarness().run { client in
            let email = try await client.createOrganization()
            let cookie = try await client.signIn(email: email)
            let key = try await client.createKey(cookie: cookie, name: "first")
            try await client.console(.patch, "/console/api/keys/\(key.id)", cookie: cookie, body: ["name": "second"])
            try await client.console(.post, "/console/api/keys/\(key.id)/revoke", cookie: cookie)
            try await client.console(.post, "/console/api/keys/\(key.id)/revoke", cookie: cookie)
            struct Event: Codable {
                let action: String
                let apiKeyId: String?
                let actor: String?
                let details: [String: String]
                let createdAt: Date
            }
            let events = try decode(Page<Event>.self, try await client.console(.get, "/console/api/audit-events", cookie: cookie)).data
            #expect(events.map(\.action) == ["api_key.revoked", "api_key.renamed", "api_key.created"])
            #expect(events.allSatisfy { $0.actor == email && $0.apiKeyId == key.id.uuidString.lowercased() })
            #expect(events[1].details == ["from": "first", "to": "second"])
            #expect(events[2].details["scopes"] == "jobs:read")
            let other = try await client.signedInAdmin()
            #expect(try decode(Page<Event>.self, try await client.console(.get, "/console/api/audit-events", cookie: other)).data.isEmpty)
        }
    }
}
