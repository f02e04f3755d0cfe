import Foundation

/// `KeyIntrospector` over HTTP: `POST /internal/introspect` on the key service, through an
/// `InternalServiceClient` (Basic credentials, pooled connections, short timeout).
public struct HTTPKeyIntrospector: KeyIntrospector {
    /// The largest answer read; a real one is a few hundred bytes.
    static let maxAnswerBytes = 16 * 1024

    let client: InternalServiceClient
    let path: String

    /// Introspects at `keyServiceURL` + `path` with this service's client credentials.
    public init(keyServiceURL: String, path: String = "/internal/introspect", clientId: String, clientSecret: String, timeout: Duration) {
        self.client = InternalServiceClient(
            baseURL: keyServiceURL, clientId: clientId, clientSecret: clientSecret, timeout: timeout, maxAnswerBytes: Self.maxAnswerBytes
        )
        self.path = path
    }

    public func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? {
        // The token is base-62 (checked before we get here), so it needs no form escaping.
        let body = try await client.send(
            .post, path, body: "token=\(token.value)", contentType: "application/x-www-form-urlencoded", requestId: requestId
        )
        return try Self.parseAnswer(body)
    }

    /// Reads an RFC 7662 answer, trusting nothing: an active answer must carry a key id, an
    /// organization id and `token_type` `api_key`, or it is refused as malformed.
    public static func parseAnswer(_ data: Data) throws -> VerifiedKey? {
        struct Answer: Decodable {
            struct Limits: Decodable {
                let plan: Plan
                let per_second: Int?
                let per_minute: Int?
            }
            let active: Bool
            let scope: String?
            let client_id: String?
            let org_id: String?
            let token_type: String?
            let rate_limit: Limits?
            let exp: Double?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw InternalCallFailure.malformedAnswer("not an introspection answer")
        }
        guard answer.active else { return nil }
        guard answer.token_type == "api_key",
            let keyId = answer.client_id.flatMap(UUID.init(uuidString:)),
            let organizationId = answer.org_id.flatMap(UUID.init(uuidString:))
        else {
            throw InternalCallFailure.malformedAnswer("active answer without a key id, organization or token type")
        }
        // A key service without rate limits (an older version) vouches for unlimited keys.
        let limits = answer.rate_limit.map { RateLimits(plan: $0.plan, perSecond: $0.per_second, perMinute: $0.per_minute) } ?? .unlimited
        return VerifiedKey(
            keyId: keyId, organizationId: organizationId, scopes: Scope.parseSpaceSeparated(answer.scope ?? ""), rateLimits: limits,
            expiresAt: answer.exp.map { Date(timeIntervalSince1970: $0) }
        )
    }
}
