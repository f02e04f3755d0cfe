import AsyncHTTPClient
import Foundation
import Synchronization

/// `RevocationSource` over HTTP: long polls of `GET /internal/revocations` on the key service.
/// It has an HTTP client of its own, so its waiting request never takes a pooled connection
/// that introspection needs; the client is made on first use, so a source that is never
/// followed holds nothing to shut down.
public final class HTTPRevocationSource: RevocationSource {
    let keyServiceURL: String
    let clientId: String
    let clientSecret: String
    let timeout: Duration
    private let client = Mutex<(http: HTTPClient, internal: InternalServiceClient)?>(nil)

    /// Reads the log at `keyServiceURL` with the resource service's own client credentials;
    /// `longestWait` bounds a long poll, so the call's timeout is that plus a margin.
    public init(keyServiceURL: String, clientId: String, clientSecret: String, longestWait: Int) {
        self.keyServiceURL = keyServiceURL
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.timeout = .seconds(longestWait + 10)
    }

    /// The client, made on first use.
    private var internalClient: InternalServiceClient {
        client.withLock { client in
            if let client { return client.internal }
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let made = InternalServiceClient(baseURL: keyServiceURL, clientId: clientId, clientSecret: clientSecret, timeout: timeout, client: http)
            client = (http, made)
            return made
        }
    }

    public func revocations(after cursor: Int64?, waitSeconds: Int, requestId: String) async throws -> RevocationPage {
        let path = cursor.map { "/internal/revocations?after=\($0)&waitSeconds=\(waitSeconds)" } ?? "/internal/revocations"
        let data = try await internalClient.send(.get, path, requestId: requestId)
        guard let page = try? JSONDecoder().decode(RevocationPage.self, from: data) else {
            throw InternalCallFailure.malformedAnswer("not a revocation feed")
        }
        return page
    }

    public func shutdown() async {
        let made = client.withLock { client -> HTTPClient? in
            defer { client = nil }
            return client?.http
        }
        try? await made?.shutdown()
    }
}
