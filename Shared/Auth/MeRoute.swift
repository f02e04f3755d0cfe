import Foundation
import Hummingbird

/// `GET /api/v1/me` (docs/api-guide.md, "Rotating a key"): which key a request carries, its scopes, its expiry and its
/// rate limits. Any valid key, no scope; it counts against the key's limits like any request,
/// and it reads only the verified key: no database, and no network on a cached key.
public enum MeRoute {
    /// The answer; every field present, `null` where there is nothing.
    public struct Me: ResponseEncodable, Sendable {
        public struct Limits: Encodable, Sendable {
            let plan: String
            @Nullable var perSecond: Int?
            @Nullable var perMinute: Int?
        }

        let keyId: String
        let organizationId: String
        let scopes: [String]
        @Nullable var expiresAt: Date?
        let rateLimit: Limits

        init(_ key: VerifiedKey) {
            keyId = key.keyId.apiString
            organizationId = key.organizationId.apiString
            scopes = key.scopes.map(\.rawValue).sorted()
            expiresAt = key.expiresAt
            rateLimit = Limits(plan: key.rateLimits.plan.rawValue, perSecond: key.rateLimits.perSecond, perMinute: key.rateLimits.perMinute)
        }
    }

    /// Adds the route to a resource service's router, behind its API-key authentication.
    public static func add(to router: Router<AppRequestContext>) {
        router.group(context: APIRequestContext.self).get("/api/v1/me") { _, context in Me(context.key) }
    }
}
