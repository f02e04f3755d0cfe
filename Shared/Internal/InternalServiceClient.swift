import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls another service's `/internal/` endpoints: HTTP Basic client credentials, the caller's
/// request id passed on, AsyncHTTPClient's shared pooled connections, a short timeout and a
/// bounded answer. Every way a call can go wrong is an `InternalCallFailure`, which callers
/// turn into 503: never into an answer.
public struct InternalServiceClient: Sendable {
    let baseURL: String
    let authorization: String
    let timeout: Duration
    let maxAnswerBytes: Int
    let client: HTTPClient

    public init(
        baseURL: String, clientId: String, clientSecret: String, timeout: Duration, maxAnswerBytes: Int = 64 * 1024, client: HTTPClient = .shared
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.authorization = "Basic " + Data("\(clientId):\(clientSecret)".utf8).base64EncodedString()
        self.timeout = timeout
        self.maxAnswerBytes = maxAnswerBytes
        self.client = client
    }

    /// The methods internal endpoints use.
    public enum Method: Sendable {
        case get, post, patch, delete

        var nio: HTTPMethod {
            switch self {
            case .get: .GET
            case .post: .POST
            case .patch: .PATCH
            case .delete: .DELETE
            }
        }
    }

    /// A whole answer: its status, headers and (bounded) body.
    public struct Answer: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: ByteBuffer

        /// The first value of the header `name`, if any.
        public func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// Sends one request to `path` (with its query) and returns the body of a 200 answer.
    public func send(_ method: Method, _ path: String, body: String? = nil, contentType: String? = nil, requestId: String) async throws -> Data {
        let answer = try await exchange(method, path, body: body.map { ByteBuffer(string: $0) }, contentType: contentType, requestId: requestId)
        guard answer.status == 200 else { throw InternalCallFailure.unexpectedStatus(answer.status) }
        return Data(answer.body.readableBytesView)
    }

    /// Sends one request to `path` with `headers` too, and returns the answer whatever its status
    /// (for a service that passes another's answers on, as the console does the webhooks service's).
    public func exchange(
        _ method: Method, _ path: String, body: ByteBuffer? = nil, contentType: String? = nil, headers: [(String, String)] = [], requestId: String
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method.nio
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "X-Request-Id", value: requestId)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(body) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanosecondsCount))
            let body = try await response.body.collect(upTo: maxAnswerBytes)
            return Answer(status: Int(response.status.code), headers: response.headers, body: body)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw InternalCallFailure.timedOut
        } catch is NIOTooManyBytesError {
            throw InternalCallFailure.malformedAnswer("answer over \(maxAnswerBytes) bytes")
        } catch {
            throw InternalCallFailure.unreachable(String(describing: error))
        }
    }
}

/// Why a call to another service gave no usable answer.
public enum InternalCallFailure: Error, Equatable {
    case unreachable(String)
    case timedOut
    case unexpectedStatus(Int)
    case malformedAnswer(String)
}
