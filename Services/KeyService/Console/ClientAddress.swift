import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Shared

/// The address of the client a request comes from (docs/design/hostile-clients.md: "the one the gateway saw").
/// The gateway overwrites `X-Real-IP` with the address of its own peer; that header is believed
/// only when the request's TCP peer is a trusted proxy (`TRUSTED_PROXIES`: addresses and CIDR
/// ranges, default loopback), so a client that reaches the service directly, or sends the
/// header itself through the gateway, cannot choose the address it is counted under.
struct ClientAddress: Sendable {
    struct Range: Sendable, Equatable {
        let bytes: [UInt8]
        let prefixBits: Int

        /// Whether `address` (4 or 16 bytes) lies in this range.
        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var bits = prefixBits
            for (a, b) in zip(address, bytes) where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if a & mask != b & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    static let realIP = HTTPField.Name("X-Real-IP")!
    let trusted: [Range]

    /// Reads `TRUSTED_PROXIES` (comma-separated `address` or `address/bits`), default loopback.
    init(environment: Environment) throws {
        let raw = environment.get("TRUSTED_PROXIES") ?? "127.0.0.1/8,::1"
        var ranges: [Range] = []
        for entry in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1)
            guard let bytes = Self.parse(String(parts[0])),
                let bits = parts.count == 2 ? Int(parts[1]) : bytes.count * 8, (0...(bytes.count * 8)).contains(bits)
            else { throw ConfigurationError("TRUSTED_PROXIES must list IP addresses or CIDR ranges such as 10.0.0.0/8 (got \"\(entry)\")") }
            ranges.append(Range(bytes: bytes, prefixBits: bits))
        }
        self.trusted = ranges
    }

    /// The client's address: `X-Real-IP` from a trusted proxy, else the TCP peer's own. A
    /// request with no network peer (an in-process test) is treated as coming from a proxy.
    func of(_ request: Request, context: some RemoteAddressRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress
        if isFromTrustedProxy(context), let forwarded = request.headers[Self.realIP]?.trimmingCharacters(in: .whitespaces),
            Self.parse(forwarded) != nil
        {
            return forwarded
        }
        return peer ?? "unknown"
    }

    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    /// The scheme the client used: `X-Forwarded-Proto` (`http` or `https`) from a trusted proxy,
    /// which the gateway sets, else `http` (a client that reaches the service directly).
    func scheme(of request: Request, context: some RemoteAddressRequestContext) -> String {
        guard isFromTrustedProxy(context), let proto = request.headers[Self.forwardedProto]?.lowercased(), proto == "https" || proto == "http"
        else { return "http" }
        return proto
    }

    /// Whether the TCP peer is a trusted proxy; a request with none (an in-process test) is.
    func isFromTrustedProxy(_ context: some RemoteAddressRequestContext) -> Bool {
        guard let peer = context.remoteAddress?.ipAddress else { return true }
        return Self.parse(peer).map { bytes in trusted.contains { $0.contains(bytes) } } ?? false
    }

    /// The bytes of an IPv4 or IPv6 address in text form, or nil.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
