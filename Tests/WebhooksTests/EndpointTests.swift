import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Shared
import Synchronization
import TestSupport
import Testing

@testable import Webhooks

@Suite("Webhook endpoints: the resource, its scopes and its URL rules")
struct EndpointTests {
    /// The public routes, and the same served to the console.
    static func tables() throws -> (api: [ScopedRoute], console: [ScopedRoute]) {
        let postgres = PostgresClient(configuration: try DatabaseURL.configuration(from: "postgres://u:p@127.0.0.1:1/none"))
        let logger = Logger(label: "test")
        let box = SecretBox(secret: "webhook-secrets-key-0123456789abcdefghij", purpose: "test")
        let controller = EndpointController(
            endpoints: EndpointRepository(client: postgres, box: box, logger: logger),
            queue: MessageQueue(client: postgres, schedule: .standard, logger: logger), destinations: DestinationPolicy(), doorbell: Doorbell())
        let router = Router(context: AppRequestContext.self)
        let api = ScopedRoutes(router: router)
        let console = OrganizationCallRoutes(router: router, callers: InternalCallers([:]))
        controller.addRoutes(to: api)
        controller.addRoutes(to: console)
        return (api.table, console.table)
    }

    static func table() throws -> [ScopedRoute] { try tables().api }

    @Test func theOpenAPIDocumentDescribesExactlyTheseRoutesAndScopes() throws {
        let table = try Self.table()
        #expect(table.allSatisfy { $0.scope == ($0.method == .get ? .webhooksRead : .webhooksWrite) })
        #expect(try OpenAPIDocument.operations(servedBy: "webhooks") == Set(table.map(\.description)))
        // The console is served the very same routes, under /internal/console/.
        let console = try Self.tables().console
        #expect(console.map { $0.path.replacingOccurrences(of: "/internal/console/", with: "/api/v1/") } == table.map(\.path))
        #expect(console.map(\.method) == table.map(\.method))
        // The event types an endpoint may subscribe to are the document's.
        let documented = try OpenAPIDocument.enumeration("WebhookEventType")
        #expect(WebhookEndpointInput.subscribable == documented)
    }

    @Test func eachRouteRefusesAKeyLackingItsScopeAndAcceptsOneHoldingOnlyIt() async throws {
        let table = try Self.table()
        try await WebhooksHarness().run { client in
            try await ScopeMatrix.check(table, organization: try await client.keyService.newOrganization()) { method, path, key in
                try await client.call(method, path, key: key, body: [:])
            }
            #expect(try await client.call(.get, "/api/v1/webhook-endpoints", key: nil).status == .unauthorized)
        }
    }

    @Test func anEndpointIsCreatedWithItsSecretOnceThenReadChangedAndDeleted() async throws {
        try await WebhooksHarness().run { client in
            let (_, key) = try await client.organization()
            let response = try await client.call(
                .post, "/api/v1/webhook-endpoints", key: key,
                body: [
                    "url": " http://127.0.0.1:9/hooks ", "description": "ATS",
                    "eventTypes": ["report.created", "interview.completed", "report.created"],
                ])
            #expect(response.status == .created)
            let created = json(response)
            let id = try #require(created["id"] as? String)
            #expect(response.headers[.location] == "/api/v1/webhook-endpoints/\(id)")
            let secret = try #require(created["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
            #expect(created["secretPrefix"] as? String == String(secret.prefix(10)))
            #expect(created["url"] as? String == "http://127.0.0.1:9/hooks")
            #expect(created["eventTypes"] as? [String] == ["interview.completed", "report.created"])
            #expect(created["status"] as? String == "ENABLED" && created["disabledReason"] is NSNull)
            // Never again: not in the item, not in the list.
            let read = try await client.call(.get, "/api/v1/webhook-endpoints/\(id)", key: key)
            #expect(read.status == .ok && json(read)["secret"] == nil && json(read)["secretPrefix"] as? String == String(secret.prefix(10)))
            let list = try await client.call(.get, "/api/v1/webhook-endpoints", key: key)
            #expect(items(list).map { $0["id"] as? String } == [id] && !String(buffer: list.body).contains(secret))
            // PATCH: a manual disable, then enable again.
            let disabled = json(
                try await client.call(.patch, "/api/v1/webhook-endpoints/\(id)", key: key, body: ["status": "DISABLED", "eventTypes": [String]()]))
            #expect(disabled["status"] as? String == "DISABLED" && disabled["disabledReason"] as? String == "MANUAL")
            #expect((disabled["eventTypes"] as? [String])?.isEmpty == true && disabled["description"] as? String == "ATS")
            let enabled = json(try await client.call(.patch, "/api/v1/webhook-endpoints/\(id)", key: key, body: ["status": "ENABLED"]))
            #expect(enabled["status"] as? String == "ENABLED" && enabled["disabledReason"] is NSNull)
            #expect(try await client.call(.delete, "/api/v1/webhook-endpoints/\(id)", key: key).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/webhook-endpoints/\(id)", key: key).status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/webhook-endpoints/\(id)", key: key).status == .notFound)
            #expect(items(try await client.call(.get, "/api/v1/webhook-endpoints", key: key)).isEmpty)
        }
    }

    /// The URL rules with the operator's defaults: https only, and no address inside a private network.
    @Test func aURLInsideAPrivateNetworkOrOverPlainHTTPIsRefused() async throws {
        try await WebhooksHarness(environment: ["WEBHOOK_ALLOWED_NETWORKS": "", "WEBHOOK_ALLOW_HTTP": ""]).run { client in
            let (_, key) = try await client.organization()
            let refused = [
                "http://example.com/hooks", "https://127.0.0.1/hooks", "https://localhost/hooks", "https://2130706433/hooks",
                "https://0177.0.0.1/hooks", "https://0x7f.1/hooks", "https://10.1.2.3/hooks", "https://169.254.169.254/latest",
                "https://100.64.0.1/hooks", "https://192.168.1.1/hooks", "https://0.0.0.0/hooks", "https://224.0.0.1/hooks",
            ]
            for url in refused {
                let response = try await client.call(.post, "/api/v1/webhook-endpoints", key: key, body: ["url": url])
                #expect(
                    response.status == .unprocessableContent && apiError(response)?.code == "WEBHOOK_URL_NOT_ALLOWED", "\(url): \(response.status)")
            }
            for url in ["not a url", "ftp://example.com/x", "https://[::1]/hooks", "https://user:pw@example.com/"] {
                let response = try await client.call(.post, "/api/v1/webhook-endpoints", key: key, body: ["url": url])
                #expect(response.status == .badRequest && apiError(response)?.code == "VALIDATION_ERROR", "\(url): \(response.status)")
            }
            let unknownType = try await client.call(
                .post, "/api/v1/webhook-endpoints", key: key, body: ["url": "https://127.0.0.1/", "eventTypes": ["nope"]])
            #expect(unknownType.status == .badRequest && apiError(unknownType)?.details?.first?.field == "eventTypes[0]")
            #expect(items(try await client.call(.get, "/api/v1/webhook-endpoints", key: key)).isEmpty)
        }
    }

    @Test func aChangedURLIsCheckedAsAtCreation() async throws {
        try await WebhooksHarness(environment: ["WEBHOOK_ALLOWED_NETWORKS": "127.0.0.2/32", "WEBHOOK_ALLOW_HTTP": "true"]).run { client in
            let (_, key) = try await client.organization()
            let id = try #require(try await client.endpoint(key: key, url: "http://127.0.0.2:9/ok")["id"] as? String)
            let response = try await client.call(.patch, "/api/v1/webhook-endpoints/\(id)", key: key, body: ["url": "http://127.0.0.1:9/ok"])
            #expect(response.status == .unprocessableContent && apiError(response)?.code == "WEBHOOK_URL_NOT_ALLOWED")
            #expect(json(try await client.call(.get, "/api/v1/webhook-endpoints/\(id)", key: key))["url"] as? String == "http://127.0.0.2:9/ok")
        }
    }

    @Test func anotherOrganizationSeesNothing() async throws {
        try await WebhooksHarness().run { client in
            let (_, owner) = try await client.organization()
            let (_, stranger) = try await client.organization()
            let id = try #require(try await client.endpoint(key: owner, url: "http://127.0.0.1:9/ok")["id"] as? String)
            let base = "/api/v1/webhook-endpoints/\(id)"
            for path in [base, base + "/deliveries"] { #expect(try await client.call(.get, path, key: stranger).status == .notFound, "\(path)") }
            #expect(try await client.call(.patch, base, key: stranger, body: ["description": "x"]).status == .notFound)
            #expect(try await client.call(.post, base + "/test", key: stranger).status == .notFound)
            #expect(try await client.call(.post, base + "/roll-secret", key: stranger).status == .notFound)
            #expect(try await client.call(.post, base + "/recover", key: stranger, body: ["since": "2026-01-01T00:00:00Z"]).status == .notFound)
            #expect(try await client.call(.delete, base, key: stranger).status == .notFound)
            #expect(items(try await client.call(.get, "/api/v1/webhook-endpoints", key: stranger)).isEmpty)
            #expect(try await client.call(.get, base, key: owner).status == .ok)
        }
    }

    /// A signing secret is in the answers that make it and nowhere else: not in a log line (at
    /// trace level), not in another answer, not in the database but sealed.
    @Test func aSigningSecretIsShownOnceNeverLoggedAndStoredSealed() async throws {
        let receiver = try await WebhookReceiver()
        let logs = LogCapture()
        let box = Mutex<[String]>([])
        try await WebhooksHarness().run(logs: logs) { client in
            let (organization, key) = try await client.organization()
            let created = try await client.endpoint(key: key, url: receiver.url("quiet"))
            let id = try #require(created["id"] as? String)
            let rolled = json(try await client.call(.post, "/api/v1/webhook-endpoints/\(id)/roll-secret", key: key, body: ["expiresInSeconds": 60]))
            let secrets = [try #require(created["secret"] as? String), try #require(rolled["secret"] as? String)]
            box.withLock { $0 = secrets }
            try await client.handOver(WebhooksHarness.event(organization: organization))
            _ = try await client.deliveries(id, key: key) { $0.first?["status"] as? String == "SUCCEEDED" }
            var answers = [try await client.call(.get, "/api/v1/webhook-endpoints", key: key)]
            answers.append(try await client.call(.get, "/api/v1/webhook-endpoints/\(id)", key: key))
            answers.append(try await client.call(.get, "/api/v1/webhook-endpoints/\(id)/deliveries", key: key))
            answers.append(try await client.call(.patch, "/api/v1/webhook-endpoints/\(id)", key: key, body: ["description": "x"]))
            for (index, answer) in answers.enumerated() {
                let text = String(buffer: answer.body)
                #expect(!secrets.contains { text.contains($0.dropFirst(6)) }, "answer \(index) holds a secret")
            }
            let stored = try await TestDatabase.withClient(client.databaseURL) { postgres in
                try await postgres.query("SELECT row_to_json(s)::text, sealed FROM webhook_secrets s").collect().map {
                    try $0.decode((String, Data).self)
                }
            }
            #expect(stored.count == 2)
            for (row, sealed) in stored {
                for secret in secrets {
                    let bytes = Data(base64Encoded: String(secret.dropFirst(6)))!
                    #expect(!row.contains(secret.dropFirst(6)) && sealed.range(of: bytes) == nil)
                }
            }
        }
        let lines = logs.all
        #expect(lines.count > 10)
        for secret in box.withLock({ $0 }) { #expect(!lines.contains { $0.contains(secret.dropFirst(6)) }, "a log line holds a secret") }
    }
}
