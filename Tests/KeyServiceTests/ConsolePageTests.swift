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
            for (path, type) in [("/console", "text/html"), ("/console/assets/console.js", "text/javascript"), ("/console/assets/console.css", "text/css")] {
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
}
