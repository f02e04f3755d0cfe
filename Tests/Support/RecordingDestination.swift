import Foundation
import Shared
import Synchronization

/// An outbox destination in process, for router tests: it keeps what it is handed, in order.
public final class RecordingDestination: OutboxDestination, Sendable {
    public let name: String
    private let delivered = Mutex<[String]>([])

    public init(name: String) {
        self.name = name
    }

    public func deliver(eventId: UUID, payload: String) async throws {
        delivered.withLock { $0.append(payload) }
    }

    /// The payloads delivered so far, in order.
    public var payloads: [String] { delivered.withLock { $0 } }

    /// The payloads delivered so far as JSON objects.
    public var events: [[String: Any]] {
        payloads.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}
