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
        case get, post

        var nio: HTTPMethod { self == .get ? .GET : .POST }
    }

    /// Sends one request to `path` (with its query) and returns the body of a 200 answer.
    public func send(_ method: Method, _ path: String, body: String? = nil, contentType: String? = nil, requestId: String) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method.nio
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "X-Request-Id", value: requestId)
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(timeout.nanosecondsCount))
            guard response.status == .ok else {
                throw InternalCallFailure.unexpectedStatus(Int(response.status.code))
            }
            return Data(try await response.body.collect(upTo: maxAnswerBytes).readableBytesView)
        } catch let failure as InternalCallFailure {
            throw failure
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
