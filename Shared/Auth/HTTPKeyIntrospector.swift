import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `KeyIntrospector` over HTTP: `POST /internal/introspect` with Basic client credentials,
/// on AsyncHTTPClient's shared, pooled connections, within a short timeout.
public struct HTTPKeyIntrospector: KeyIntrospector {
    /// The largest answer read; a real one is a few hundred bytes.
    static let maxAnswerBytes = 16 * 1024

    let url: String
    let authorization: String
    let timeout: Duration
    let client: HTTPClient

    public init(url: String, clientId: String, clientSecret: String, timeout: Duration, client: HTTPClient = .shared) {
        self.url = url
        self.authorization = "Basic " + Data("\(clientId):\(clientSecret)".utf8).base64EncodedString()
        self.timeout = timeout
        self.client = client
    }

    public func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "X-Request-Id", value: requestId)
        // The token is base-62 (checked before we get here), so it needs no form escaping.
        request.body = .bytes(ByteBuffer(string: "token=\(token.value)"))
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanosecondsCount)))
            guard response.status == .ok else {
                throw IntrospectionFailure.unexpectedStatus(Int(response.status.code))
            }
            body = try await response.body.collect(upTo: Self.maxAnswerBytes)
        } catch let failure as IntrospectionFailure {
            throw failure
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw IntrospectionFailure.timedOut
        } catch is NIOTooManyBytesError {
            throw IntrospectionFailure.malformedAnswer("answer over \(Self.maxAnswerBytes) bytes")
        } catch {
            throw IntrospectionFailure.unreachable(String(describing: error))
        }
        return try Self.parseAnswer(Data(body.readableBytesView))
    }

    /// Reads an RFC 7662 answer, trusting nothing: an active answer must carry a key id, an
    /// organization id and `token_type` `api_key`, or it is refused as malformed.
    public static func parseAnswer(_ data: Data) throws -> VerifiedKey? {
        struct Answer: Decodable {
            let active: Bool
            let scope: String?
            let client_id: String?
            let org_id: String?
            let token_type: String?
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: data) else {
            throw IntrospectionFailure.malformedAnswer("not an introspection answer")
        }
        guard answer.active else { return nil }
        guard answer.token_type == "api_key",
              let keyId = answer.client_id.flatMap(UUID.init(uuidString:)),
              let organizationId = answer.org_id.flatMap(UUID.init(uuidString:))
        else {
            throw IntrospectionFailure.malformedAnswer("active answer without a key id, organization or token type")
        }
        return VerifiedKey(keyId: keyId, organizationId: organizationId, scopes: Scope.parseSpaceSeparated(answer.scope ?? ""))
    }
}
