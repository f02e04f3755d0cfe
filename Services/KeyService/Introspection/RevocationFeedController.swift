import Foundation
import Hummingbird
import Shared

/// `GET /internal/revocations?after=<sequence>&waitSeconds=<0…8>`: the revocation log, read by
/// every resource service to drop revoked keys from its cache at once. A long poll: with
/// nothing newer than `after` it waits up to `waitSeconds` for the `RevocationNotifier` to see
/// a newer sequence (PostgreSQL notifies it as any replica's revocation commits), then answers
/// at once. Sequences are given in commit order (the log's trigger), so `sequence > after`
/// never passes over one that commits later.
struct RevocationFeedController: Sendable {
    let keys: APIKeyRepository
    let notifier: RevocationNotifier

    static let pollInterval = Duration.milliseconds(5)
    static let batch = 1000

    /// Adds the route.
    func addRoutes(to group: RouterGroup<InternalRequestContext>) {
        group.get("revocations", use: feed)
    }

    @Sendable func feed(_ request: Request, context: InternalRequestContext) async throws -> RevocationPage {
        let query = request.uri.queryParameters
        var after: Int64?
        if let raw = query["after"] {
            guard let value = Int64(String(raw)), value >= 0 else { throw APIError.invalidField("after", "must be a sequence number (0 or more)") }
            after = value
        }
        var wait = 0
        if let raw = query["waitSeconds"] {
            // Below the 10 s request timeout every service applies.
            guard let value = Int(String(raw)), (0...8).contains(value) else { throw APIError.invalidField("waitSeconds", "must be from 0 to 8") }
            wait = value
        }
        let deadline = ContinuousClock.now + .seconds(wait)
        while true {
            let (events, latest) = try await keys.revocations(after: after ?? Int64.max, limit: Self.batch)
            // A reader ahead of the log (the log was rebuilt) cannot know what it missed: it must flush.
            if let after, after > latest {
                return RevocationPage(events: [], latest: latest, reset: true)
            }
            if !events.isEmpty || after == nil || ContinuousClock.now >= deadline {
                return RevocationPage(events: events, latest: latest, reset: false)
            }
            // Wait in memory until something newer exists; only then ask the database again.
            while notifier.latest <= latest, ContinuousClock.now < deadline {
                try await Task.sleep(for: Self.pollInterval)
            }
        }
    }
}

/// The feed's answer, as Shared's readers decode it.
extension RevocationPage: ResponseEncodable {}
