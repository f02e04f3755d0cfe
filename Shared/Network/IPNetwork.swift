import Foundation

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `fc00::/7`): what `TRUSTED_PROXIES` and
/// `WEBHOOK_ALLOWED_NETWORKS` list, and what the webhooks service refuses to call.
public struct IPNetwork: Sendable, Equatable, CustomStringConvertible {
    /// The network's address: 4 bytes or 16.
    public let bytes: [UInt8]
    public let prefixBits: Int

    public init(bytes: [UInt8], prefixBits: Int) {
        self.bytes = bytes
        self.prefixBits = prefixBits
    }

    /// `address/bits` or a lone address (all its bits), in the strict text forms of inet_pton.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard let first = parts.first, let bytes = Self.address(String(first)),
            let bits = parts.count == 2 ? Int(parts[1]) : bytes.count * 8, (0...(bytes.count * 8)).contains(bits)
        else { return nil }
        self.init(bytes: bytes, prefixBits: bits)
    }

    /// Whether `address` (4 or 16 bytes) lies in this network.
    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        var bits = prefixBits
        for (a, b) in zip(address, bytes) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    public var description: String { "\(Self.text(bytes))/\(prefixBits)" }

    /// A comma-separated list of networks from a setting, or a `ConfigurationError` naming `variable`.
    public static func list(_ raw: String, variable: String) throws -> [IPNetwork] {
        try raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            guard let network = IPNetwork(entry) else {
                throw ConfigurationError("\(variable) must list IP addresses or CIDR ranges such as 10.0.0.0/8 (got \"\(entry)\")")
            }
            return network
        }
    }

    /// The bytes of an IPv4 or IPv6 address in its strict text form (inet_pton: no decimal,
    /// octal or shortened IPv4 spellings), or nil.
    public static func address(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The text form of 4 or 16 bytes.
    public static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return written == nil ? "?" : String(cString: buffer)
    }
}
