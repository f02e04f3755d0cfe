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
    static let realIP = HTTPField.Name("X-Real-IP")!
    let trusted: [IPNetwork]

    /// Reads `TRUSTED_PROXIES` (comma-separated `address` or `address/bits`), default loopback.
    init(environment: Environment) throws {
        self.trusted = try IPNetwork.list(environment.get("TRUSTED_PROXIES") ?? "127.0.0.1/8,::1", variable: "TRUSTED_PROXIES")
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
    static func parse(_ text: String) -> [UInt8]? { IPNetwork.address(text) }
}
