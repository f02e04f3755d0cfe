import Foundation

/// One answer of the key service's revocation log: the revocations after a reader's cursor,
/// the newest sequence, and whether the reader must flush its cache because it cannot resume.
public struct RevocationPage: Sendable, Decodable, Equatable {
    public struct Event: Sendable, Decodable, Equatable {
        public let sequence: Int64
        public let keyId: UUID

        public init(sequence: Int64, keyId: UUID) {
            self.sequence = sequence
            self.keyId = keyId
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
