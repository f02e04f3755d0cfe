import Foundation
import Shared
import TestSupport
import Testing

@testable import Webhooks

/// Where an attempt connects: the address it checked, resolved again at every attempt, with TLS
/// checking the URL's name. Names come from `/etc/hosts` entries the tests write and remove.
@Suite("Webhook attempts connect only where they checked", .serialized)
struct PinnedDeliveryTests {
    /// A name is resolved at every attempt, and the attempt connects to the address it checked:
    /// here the name first points at the receiver, then (as a rebinding attacker would have it)
    /// at an address inside a private network, which is then never connected to. The names come
    /// from an `/etc/hosts` entry the test writes (and removes), which getaddrinfo reads each time.
    @Test func aNameIsCheckedAtEveryAttemptAndAForbiddenAnswerIsNeverConnectedTo() async throws {
        let receiver = try await WebhookReceiver()
        let name = "evalyo-rebind-\(UUID().uuidString.prefix(8).lowercased()).test"
        let hosts = try HostsEntry(name: name, address: "127.0.0.1")
        defer { hosts.remove() }
        try await WebhooksHarness().run { client in
            let (organization, key) = try await client.organization()
            let url = "http://\(name):\(receiver.port)/named/ok"
            let endpoint = try await client.endpoint(key: key, url: url)
            let id = try #require(endpoint["id"] as? String)
            try await receiver.verify("named", with: [try #require(endpoint["secret"] as? String)])
            try await client.handOver(WebhooksHarness.event(organization: organization))
            #expect(try await receiver.requests(to: "named", atLeast: 1).first?.verified == [true])
            try hosts.point(at: "10.9.9.9")
            try await client.handOver(WebhooksHarness.event(organization: organization))
            let log = try await client.deliveries(id, key: key) { ($0.first?["attempts"] as? [[String: Any]])?.isEmpty == false && $0.count == 2 }
            let attempt = try #require((log.first?["attempts"] as? [[String: Any]])?.first)
            #expect(attempt["responseStatus"] is NSNull && (attempt["error"] as? String)?.contains("10.9.9.9") == true, "\(attempt)")
            #expect(try await receiver.requests().filter { $0.path.hasPrefix("/named/") }.count == 1)
            // Creating an endpoint whose name resolves inside is refused outright.
            let refused = try await client.call(.post, "/api/v1/webhook-endpoints", key: key, body: ["url": url])
            #expect(refused.status == .unprocessableContent && apiError(refused)?.code == "WEBHOOK_URL_NOT_ALLOWED")
        }
    }

    /// Over https, the attempt connects to the checked address while TLS still checks the URL's
    /// name: a certificate for the name is accepted, the same receiver under a name its
    /// certificate does not carry is refused. (The receiver's authority is trusted through
    /// `WEBHOOK_CA_FILE`; the names come from `/etc/hosts` entries the test writes.)
    @Test func overHTTPSTheCertificateIsCheckedAgainstTheURLsName() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let (named, other) = ("evalyo-tls-\(suffix).test", "evalyo-other-\(suffix).test")
        let certificates = try TestCertificates.make(naming: [named])
        defer { certificates.remove() }
        let hosts = [try HostsEntry(name: named, address: "127.0.0.1"), try HostsEntry(name: other, address: "127.0.0.1")]
        defer { for entry in hosts { entry.remove() } }
        let receiver = try await WebhookReceiver(tls: certificates)
        try await WebhooksHarness(environment: ["WEBHOOK_ALLOW_HTTP": "", "WEBHOOK_CA_FILE": certificates.authority]).run { client in
            let (organization, key) = try await client.organization()
            let good = try await client.endpoint(key: key, url: "https://\(named):\(receiver.port)/tls/ok")
            let wrong = try #require(try await client.endpoint(key: key, url: "https://\(other):\(receiver.port)/wrong/ok")["id"] as? String)
            try await receiver.verify("tls", with: [try #require(good["secret"] as? String)])
            try await client.handOver(WebhooksHarness.event(organization: organization))
            #expect(try await receiver.requests(to: "tls", atLeast: 1).first?.verified == [true])
            let refused = try await client.deliveries(wrong, key: key) { ($0.first?["attempts"] as? [Any])?.isEmpty == false }
            let attempt = try #require((refused.first?["attempts"] as? [[String: Any]])?.first)
            let error = (attempt["error"] as? String ?? "").lowercased()
            #expect(attempt["responseStatus"] is NSNull && (error.contains("certificate") || error.contains("handshake")), "\(attempt)")
            #expect(try await receiver.requests().allSatisfy { !$0.path.hasPrefix("/wrong/") })
        }
    }
}

/// A line of `/etc/hosts` naming `name`, for as long as a test needs it (the tests run as root,
/// as scripts/test and CI do).
final class HostsEntry: Sendable {
    static let path = "/etc/hosts"
    let name: String

    init(name: String, address: String) throws {
        self.name = name
        try point(at: address)
    }

    /// Makes `name` resolve to `address` (and nothing else).
    func point(at address: String) throws {
        var lines = Self.lines().filter { !$0.hasSuffix(" \(name)") }
        lines.append("\(address) \(name)")
        try (lines.joined(separator: "\n") + "\n").write(toFile: Self.path, atomically: false, encoding: .utf8)
    }

    func remove() {
        let lines = Self.lines().filter { !$0.hasSuffix(" \(name)") }
        try? (lines.joined(separator: "\n") + "\n").write(toFile: Self.path, atomically: false, encoding: .utf8)
    }

    static func lines() -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
}
