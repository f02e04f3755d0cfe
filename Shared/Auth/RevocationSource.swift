import Foundation

/// One answer of the key service's revocation log: the entries after a reader's cursor, the
/// newest sequence, and whether the reader must flush its cache because it cannot resume.
public struct RevocationPage: Sendable, Codable, Equatable {
    public struct Event: Sendable, Codable, Equatable {
        /// REVOKED: refused for good. CHANGED: still valid, but answers cached before the change
        /// are stale (a roll gave the key an expiry).
        public enum Kind: String, Sendable, Codable { case REVOKED, CHANGED }

        public let sequence: Int64
        public let keyId: UUID
        public let kind: Kind

        public init(sequence: Int64, keyId: UUID, kind: Kind = .REVOKED) {
            self.sequence = sequence
            self.keyId = keyId
            self.kind = kind
        }

        enum CodingKeys: String, CodingKey { case sequence, keyId, kind }

        /// An entry of a key service from before rolls has no kind: a revocation.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            sequence = try container.decode(Int64.self, forKey: .sequence)
            keyId = try container.decode(UUID.self, forKey: .keyId)
            kind = try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .REVOKED
        }

        /// Ids as the API writes them: lowercase.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sequence, forKey: .sequence)
            try container.encode(keyId.apiString, forKey: .keyId)
            try container.encode(kind, forKey: .kind)
        }
    }

    public let events: [Event]
    public let latest: Int64
    public let reset: Bool

    public init(events: [Event], latest: Int64, reset: Bool) {
        self.events = events
        self.latest = latest
        self.reset = reset
    }
}

/// Where a resource service reads revocations from: the key service's log.
public protocol RevocationSource: Sendable {
    /// The revocations after `cursor`, waiting up to `waitSeconds` for one when there is none
    /// yet; with no cursor, at once, only the newest position. Throws when it cannot be read.
    func revocations(after cursor: Int64?, waitSeconds: Int, requestId: String) async throws -> RevocationPage
    /// Releases what the source holds (its connections), once the watcher stops.
    func shutdown() async
}
