import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Who may call a service's `/internal/` endpoints: one HTTP Basic id and secret per calling
/// service, from `INTERNAL_CLIENTS=catalog:secret,interviews:secret`. (The other direction,
/// calling another service's internal endpoints, is `InternalServiceClient`.)
public struct InternalCallers: Sendable {
    /// SHA-256 of each secret by client id: digests have one length, so comparing them in
    /// constant time says nothing of the secret's length or content.
    let secretDigests: [String: Data]

    public init(_ clients: [String: String]) {
        self.secretDigests = clients.mapValues(Self.digest)
    }

    static func digest(_ secret: some StringProtocol) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Compares two digests without stopping at the first difference.
    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Reads `id:secret` pairs separated by commas; each secret must pass `SecretPolicy`.
    public init(environment: Environment = Environment(), variable: String = "INTERNAL_CLIENTS") throws {
        var clients: [String: String] = [:]
        for entry in (environment.get(variable) ?? "").split(separator: ",") {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ConfigurationError("\(variable) must be a comma-separated list of id:secret pairs")
            }
            try SecretPolicy.check(String(parts[1]), variable: "\(variable) (the secret of \(parts[0]))")
            clients[String(parts[0])] = String(parts[1])
        }
        self.init(clients)
    }

    public var isEmpty: Bool { secretDigests.isEmpty }

    /// The id of the client whose Basic credentials `request` carries, if they are right.
    public func authenticate(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1].trimmingCharacters(in: .whitespaces))),
            let text = String(data: decoded, encoding: .utf8)
        else { return nil }
        let pair = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard pair.count == 2, let expected = secretDigests[String(pair[0])] else { return nil }
        return Self.constantTimeEqual(Self.digest(pair[1]), expected) ? String(pair[0]) : nil
    }
}
