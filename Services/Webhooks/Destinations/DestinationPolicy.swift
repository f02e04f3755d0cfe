import Foundation
import Hummingbird
import NIOPosix
import Shared

/// Where a webhook may go (docs/design/webhooks.md): `https` only, and never to an address inside
/// a private network, unless the operator allows it (`WEBHOOK_ALLOWED_NETWORKS`, a CIDR list, and
/// `WEBHOOK_ALLOW_HTTP=true`; `scripts/run` allows 127.0.0.0/8 over http). The URL is checked
/// when an endpoint is created or changed, and again at every attempt after resolving its host:
/// the attempt then connects to the address that was checked, never resolving the name again.
struct DestinationPolicy: Sendable {
    /// Why a destination is refused: the message of 422 `WEBHOOK_URL_NOT_ALLOWED`.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        let description: String
        /// Not a web address at all (400), rather than one we may not call (422).
        var malformed = false
    }

    /// A URL that passed the rules of its form: what to resolve and what to send.
    struct Destination: Sendable, Equatable {
        let url: String
        let secure: Bool
        let host: String
        let port: Int
    }

    let allowedNetworks: [IPNetwork]
    let allowHTTP: Bool

    init(allowedNetworks: [IPNetwork] = [], allowHTTP: Bool = false) {
        self.allowedNetworks = allowedNetworks
        self.allowHTTP = allowHTTP
    }

    init(environment: Environment) throws {
        self.init(
            allowedNetworks: try IPNetwork.list(environment.get("WEBHOOK_ALLOWED_NETWORKS") ?? "", variable: "WEBHOOK_ALLOWED_NETWORKS"),
            allowHTTP: try environment.bool("WEBHOOK_ALLOW_HTTP", default: false))
    }

    static let maximumLength = 2048

    /// The rules of the URL's form: a web address (no user name, no IP literal in brackets),
    /// `https` unless plain http is allowed, at most 2048 characters.
    func destination(_ raw: String) throws(Refusal) -> Destination {
        guard raw.count <= Self.maximumLength, let url = WebAddress.parse(raw), let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(), !host.isEmpty
        else { throw Refusal(description: "url must be an https URL of at most \(Self.maximumLength) characters", malformed: true) }
        let secure = scheme == "https"
        guard secure || allowHTTP else { throw Refusal(description: "url must use https") }
        return Destination(url: url, secure: secure, host: host, port: components.port ?? (secure ? 443 : 80))
    }

    /// The addresses the destination's host resolves to, all of which must be allowed; the
    /// caller connects to one of these, never resolving the name again.
    func addresses(of destination: Destination) async throws(Refusal) -> [[UInt8]] {
        // getaddrinfo blocks: it runs on NIO's thread pool, never on a task's thread.
        let host = destination.host
        let resolved = (try? await NIOThreadPool.singleton.runIfActive { Self.resolve(host) }) ?? []
        guard !resolved.isEmpty else { throw Refusal(description: "url's host \(destination.host) does not resolve") }
        for address in resolved where !isAllowed(address) {
            throw Refusal(description: "url's host \(destination.host) is or resolves to \(IPNetwork.text(address)), inside a private network")
        }
        return resolved
    }

    /// Whether an attempt may connect to `address`: public unicast, or in a network the operator allowed.
    func isAllowed(_ address: [UInt8]) -> Bool {
        if allowedNetworks.contains(where: { $0.contains(address) }) { return true }
        return SpecialAddresses.isPublic(address)
    }

    /// Every IPv4 and IPv6 address of `host` (getaddrinfo: a numeric host in any spelling the
    /// resolver reads, `2130706433` or `0177.0.0.1`, comes back as the address it means).
    static func resolve(_ host: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [[UInt8]] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if current.pointee.ai_family == AF_INET, let raw = current.pointee.ai_addr {
                let bytes = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                }
                if !addresses.contains(bytes) { addresses.append(bytes) }
            } else if current.pointee.ai_family == AF_INET6, let raw = current.pointee.ai_addr {
                let bytes = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                }
                if !addresses.contains(bytes) { addresses.append(bytes) }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}

/// The address blocks no webhook may reach: IANA's special-purpose registries (RFC 6890 and
/// its updates) for IPv4 and IPv6, and every IPv6 form that embeds an IPv4 address, judged by
/// the address it embeds.
enum SpecialAddresses {
    static let ipv4: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
        "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ].map { IPNetwork($0)! }

    static let ipv6: [IPNetwork] = [
        "::/128", "::1/128", "100::/64", "2001::/23", "2001:db8::/32", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10",
        "ff00::/8",
    ].map { IPNetwork($0)! }

    /// Blocks of IPv6 that carry an IPv4 address, and where it starts: mapped, compatible,
    /// NAT64 (well-known and local), 6to4.
    static let embedding: [(IPNetwork, offset: Int)] = [
        (IPNetwork("::ffff:0:0/96")!, 12), (IPNetwork("::/96")!, 12), (IPNetwork("64:ff9b::/96")!, 12), (IPNetwork("64:ff9b:1::/48")!, 12),
        (IPNetwork("2002::/16")!, 2),
    ]

    /// Whether `address` is public unicast: outside every block above (IPv6 only within 2000::/3).
    static func isPublic(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4:
            return !ipv4.contains { $0.contains(address) }
        case 16:
            for (block, offset) in embedding where block.contains(address) {
                return isPublic(Array(address[offset..<offset + 4]))
            }
            guard IPNetwork("2000::/3")!.contains(address) else { return false }
            return !ipv6.contains { $0.contains(address) }
        default:
            return false
        }
    }
}
