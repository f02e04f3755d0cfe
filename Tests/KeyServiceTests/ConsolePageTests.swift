import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import TestSupport
import Testing

@testable import KeyService

/// The console page and its assets: served from the bundled files, under the page's security headers.
@Suite("The console page is served from its own files under a strict policy")
struct ConsolePageTests {
    @Test func thePageAndItsAssetsCarryTheSecurityHeaders() async throws {
        try await KeyServiceHarness().run { client in
            for (path, type) in [
                ("/console", "text/html"), ("/console/assets/console.js", "text/javascript"), ("/console/assets/console.css", "text/css"),
            ] {
                let answer = try await client.client.execute(uri: path, method: .get)
                #expect(answer.status == .ok, "\(path)")
                #expect(answer.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
                let policy = try #require(answer.headers[.contentSecurityPolicy])
                #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'") && !policy.contains("unsafe"))
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(answer.body.readableBytes > 1000)
            }
            let page = try await client.client.execute(uri: "/console", method: .get)
            #expect(String(buffer: page.body).contains(#"<script src="/console/assets/console.js" defer></script>"#))

            let unknown = try await client.client.execute(uri: "/console/assets/other.js", method: .get)
            #expect(unknown.status == .notFound && apiError(unknown)?.code == "NOT_FOUND")
            let traversal = try await client.client.execute(uri: "/console/assets/..%2FConsolePageController.swift", method: .get)
            #expect(traversal.status == .notFound)
            let posted = try await client.client.execute(uri: "/console", method: .post)
            #expect(posted.status == .methodNotAllowed)
        }
    }

    /// The page's scope checkboxes are the server's scopes, no more and no fewer: a scope added to
    /// `Scope` without its checkbox (or the other way round) fails here, not in a browser.
    @Test func thePageOffersExactlyTheServersScopes() async throws {
        try await KeyServiceHarness().run { client in
            let script = String(buffer: try await client.client.execute(uri: "/console/assets/console.js", method: .get).body)
            let table = try #require(script.range(of: "const RESOURCES = [").map { String(script[$0.lowerBound...].prefix { $0 != ";" }) })
            let offered = table.matches(of: /"([a-z]+:(?:read|write))"/).map { String($0.output.1) }
            #expect(Set(offered) == Set(Scope.allCases.map(\.rawValue)) && offered.count == Scope.allCases.count, "\(offered)")
        }
    }

    @Test func theAuditPageOffersExactlyTheEventsTheServerRecords() async throws {
        try await KeyServiceHarness().run { client in
            let script = String(buffer: try await client.client.execute(uri: "/console/assets/people.js", method: .get).body)
            let table = try #require(script.range(of: "const EVENT_TYPES = [").map { String(script[$0.lowerBound...].prefix { $0 != ";" }) })
            let offered = table.matches(of: /"([a-z_]+\.[a-z_]+)"/).map { String($0.output.1) }
            #expect(offered == AuditController.types)
        }
    }

    /// The Webhooks page's event checkboxes are the document's event types, the ones the webhooks
    /// service accepts in `eventTypes`.
    @Test func theWebhooksPageOffersExactlyTheDocumentsEventTypes() async throws {
        try await KeyServiceHarness().run { client in
            let script = String(buffer: try await client.client.execute(uri: "/console/assets/webhooks.js", method: .get).body)
            let table = try #require(script.range(of: "const EVENT_TYPES = [").map { String(script[$0.lowerBound...].prefix { $0 != ";" }) })
            let offered = table.matches(of: /"([a-z_]+\.[a-z_]+)"/).map { String($0.output.1) }
            let documented = try OpenAPIDocument.enumeration("WebhookEventType")
            #expect(!offered.isEmpty && offered == documented)
        }
    }
}
