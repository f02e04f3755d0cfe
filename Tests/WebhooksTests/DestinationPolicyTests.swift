import Foundation
import Shared
import Testing

@testable import Webhooks

/// The URL rules (docs/design/webhooks.md): no webhook to an address inside a private network,
/// however the address is spelled or whatever the name resolves to.
@Suite("Where a webhook may be sent")
struct DestinationPolicyTests {
    static let policy = DestinationPolicy()

    static let forbidden = [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "100.127.255.255", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
        "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:c0a8:101::1", "2001::1",
    ]
    static let allowed = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "2002:808:808::1"]

    @Test(arguments: forbidden)
    func aPrivateOrSpecialAddressIsRefused(text: String) throws {
        #expect(!Self.policy.isAllowed(try #require(IPNetwork.address(text))), "\(text)")
    }

    @Test(arguments: allowed)
    func aPublicAddressIsAllowed(text: String) throws {
        #expect(Self.policy.isAllowed(try #require(IPNetwork.address(text))), "\(text)")
    }

    /// Spellings a resolver reads as loopback or private: decimal, octal, hexadecimal, shortened.
    @Test(arguments: ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "0x7f000001", "017700000001", "localhost", "0", "167772161"])
    func aNameOrSpellingThatResolvesInsideIsRefused(host: String) async throws {
        let destination = try Self.policy.destination("https://\(host)/hook")
        // It resolves (to the address it means), and that address is why it is refused.
        #expect(!DestinationPolicy.resolve(host).isEmpty, "\(host) does not resolve here")
        let refusal = await #expect(throws: DestinationPolicy.Refusal.self) { _ = try await Self.policy.addresses(of: destination) }
        #expect(refusal?.description.contains("inside a private network") == true, "\(String(describing: refusal))")
    }

    @Test func theURLsFormIsChecked() throws {
        for bad in [
            "http://example.com/hook", "ftp://example.com/", "https://", "https://user:pass@example.com/", "https://[::1]/",
            "https://exa mple.com/", "https://example.com/" + String(repeating: "a", count: 2048), "javascript:alert(1)",
        ] {
            #expect(throws: DestinationPolicy.Refusal.self, "\(bad)") { _ = try Self.policy.destination(bad) }
        }
        let good = try Self.policy.destination("https://Hooks.Example.com:8443/evalyo?x=1")
        #expect(good.host == "hooks.example.com" && good.port == 8443 && good.secure)
        #expect(try Self.policy.destination("https://example.com/").port == 443)
    }

    @Test func anOperatorMayAllowANetworkAndPlainHTTP() async throws {
        let local = DestinationPolicy(allowedNetworks: [IPNetwork("127.0.0.0/8")!], allowHTTP: true)
        let destination = try local.destination("http://127.0.0.1:9999/hook")
        #expect(try await local.addresses(of: destination) == [[127, 0, 0, 1]])
        #expect(!local.isAllowed([10, 0, 0, 1]))
        #expect(throws: (any Error).self) {
            _ = try DestinationPolicy(environment: .init(values: ["WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/33"]))
        }
    }
}
