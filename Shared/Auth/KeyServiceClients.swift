import Logging

/// What a resource service asks of the key service: key introspection, rate-limit leases and
/// the revocation log. `buildApplication` takes them as values, so a router test can use
/// in-process fakes and the real PostgreSQL; `main` makes the HTTP ones from settings.
public struct KeyServiceClients: Sendable {
    public var introspector: any KeyIntrospector
    public var leaser: any RateLimitLeaser
    public var revocations: any RevocationSource

    public init(introspector: any KeyIntrospector, leaser: any RateLimitLeaser, revocations: any RevocationSource) {
        self.introspector = introspector
        self.leaser = leaser
        self.revocations = revocations
    }

    /// The key service over HTTP, at the address and with the credentials of `auth`.
    public static func http(_ auth: AuthConfiguration, logger: Logger) -> KeyServiceClients {
        KeyServiceClients(
            introspector: HTTPKeyIntrospector(
                keyServiceURL: auth.keyServiceURL, path: auth.introspectionPath, clientId: auth.clientId, clientSecret: auth.clientSecret,
                timeout: auth.timeout
            ),
            leaser: HTTPRateLimitLeaser(
                keyServiceURL: auth.keyServiceURL, clientId: auth.clientId, clientSecret: auth.clientSecret, timeout: min(auth.timeout, .seconds(1)),
                logger: logger
            ),
            revocations: HTTPRevocationSource(
                keyServiceURL: auth.keyServiceURL, clientId: auth.clientId, clientSecret: auth.clientSecret, longestWait: RevocationWatcher.wait
            )
        )
    }
}
