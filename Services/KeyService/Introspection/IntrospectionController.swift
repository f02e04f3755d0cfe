import Foundation
import Hummingbird
import Metrics
import Shared

/// `POST /internal/introspect` (RFC 7662; docs/architecture.md, "Who calls whom"): tells a resource service whether a key
/// is active, for which organization and scopes. Only callers with internal credentials.
struct IntrospectionController: Sendable {
    let keys: APIKeyRepository
    let usage: UsageRecorder
    let metrics: ServiceMetrics

    /// Adds the route.
    func addRoutes(to group: RouterGroup<InternalRequestContext>) {
        group.post("introspect", use: introspect)
    }

    /// RFC 7662 §2.1: `token` form-encoded; `token_type_hint` is accepted and ignored.
    struct Form: Decodable {
        let token: String?
    }

    /// Answers `{"active": false}` and nothing more for anything that is not a live key (§2.2).
    @Sendable func introspect(_ request: Request, context: InternalRequestContext) async throws -> Response {
        let client = context.caller
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let form: Form
        do {
            form = try URLEncodedFormDecoder().decode(Form.self, from: String(buffer: buffer))
        } catch {
            throw APIError.validation("The body must be form-encoded, as token=<key>")
        }
        guard let token = form.token else {
            throw APIError.invalidField("token", "is required")
        }
        let answer: IntrospectionAnswer
        if let parsed = APIKeyToken(parsing: token), let key = try await keys.findActive(digest: parsed.digest) {
            usage.record(key.id)
            answer = .active(key)
        } else {
            answer = .inactive
        }
        Counter(label: "introspections_total", dimensions: [("client", client), ("active", String(answer.active))], factory: metrics.factory)
            .increment()
        var response = try answer.response(from: request, context: context)
        // RFC 7662 §4: introspection answers must not be cached by intermediaries.
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// The answer of RFC 7662 §2.2, with our `org_id` and `token_type`.
struct IntrospectionAnswer: ResponseEncodable, Sendable {
    let active: Bool
    let key: ActiveKey?

    static let inactive = IntrospectionAnswer(active: false, key: nil)

    static func active(_ key: ActiveKey) -> IntrospectionAnswer {
        IntrospectionAnswer(active: true, key: key)
    }

    enum CodingKeys: String, CodingKey {
        case active, scope
        case clientId = "client_id"
        case orgId = "org_id"
        case tokenType = "token_type"
        case iat, exp
        case rateLimit = "rate_limit"
    }

    /// An extension member (RFC 7662 §2.2 allows them): the key's plan and limits.
    struct Limits: Encodable {
        let plan: String
        let perSecond: Int?
        let perMinute: Int?

        enum CodingKeys: String, CodingKey {
            case plan
            case perSecond = "per_second"
            case perMinute = "per_minute"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(active, forKey: .active)
        guard let key else { return }
        try container.encode(key.scopes.joined(separator: " "), forKey: .scope)
        try container.encode(key.id.apiString, forKey: .clientId)
        try container.encode(key.organizationId.apiString, forKey: .orgId)
        try container.encode("api_key", forKey: .tokenType)
        try container.encode(Int(key.createdAt.timeIntervalSince1970), forKey: .iat)
        // docs/api-guide.md, "Rotating a key": an expiring key's end, in whole seconds rounded up, so a cache bound by it
        // refuses the key at most a second late and never early.
        if let expiresAt = key.expiresAt {
            try container.encode(Int(expiresAt.timeIntervalSince1970.rounded(.up)), forKey: .exp)
        }
        let limits = key.rateLimits
        try container.encode(Limits(plan: limits.plan.rawValue, perSecond: limits.perSecond, perMinute: limits.perMinute), forKey: .rateLimit)
    }
}
