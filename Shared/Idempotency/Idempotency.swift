import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPField.Name {
    /// `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header).
    public static let idempotencyKey = Self("Idempotency-Key")!
    /// `Idempotent-Replayed: true` on an answer sent again.
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
}

extension IdempotencyStore {
    /// Runs `handler` once for a key: the first request with it does the work and its answer is
    /// kept (unless 500 or above); a repeat within the retention gets that answer again.
    /// Called after authentication, scope and rate limits, as docs/api-guide.md, "Safe retries" orders them.
    func run(
        _ request: Request, context: APIRequestContext, key: String,
        _ handler: (Request) async throws -> Response
    ) async throws -> Response {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw APIError.invalidField("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
        }
        var request = request
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        request.body = RequestBody(buffer: body)
        let fingerprint = Self.fingerprint(method: request.method.rawValue, uri: request.uri.description, body: Array(body.readableBytesView))
        switch try await claim(organizationId: context.organizationId, key: key, fingerprint: fingerprint) {
        case .reused:
            throw APIError.unprocessable(
                "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another request (method, path or body); use a new key for a new request"
            )
        case .inUse:
            throw APIError.conflict("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still running; retry once it has finished")
        case .replay(let answer):
            var headers: HTTPFields = [.idempotentReplayed: "true"]
            if let contentType = answer.contentType { headers[.contentType] = contentType }
            if let location = answer.location { headers[.location] = location }
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        case .claimed:
            break
        }
        let response: Response
        do {
            response = try await handler(request)
        } catch {
            let failure = ErrorMiddleware<APIRequestContext>.apiError(for: error, request: request, logger: context.logger)
            try await keep(failure.response(), organizationId: context.organizationId, key: key)
            throw failure
        }
        return try await keep(response, organizationId: context.organizationId, key: key)
    }

    /// Stores `response` for `key` (or gives the key up for a 5xx) and returns it, its body read once.
    @discardableResult
    private func keep(_ response: Response, organizationId: UUID, key: String) async throws -> Response {
        guard response.status.code < 500 else {
            try await release(organizationId: organizationId, key: key)
            return response
        }
        let collector = BodyCollector()
        var response = response
        let body = response.body
        try await body.write(collector.writer)
        let bytes = collector.bytes
        try await complete(
            organizationId: organizationId, key: key,
            answer: Answer(
                status: response.status.code, contentType: response.headers[.contentType], location: response.headers[.location], body: bytes
            ))
        response.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        return response
    }
}

/// Reads a response body into memory (answers under `/api/v1` are small JSON documents).
final class BodyCollector: @unchecked Sendable {
    var bytes: [UInt8] = []

    struct Writer: ResponseBodyWriter {
        let collector: BodyCollector

        mutating func write(_ buffer: ByteBuffer) async throws {
            collector.bytes.append(contentsOf: buffer.readableBytesView)
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    var writer: Writer { Writer(collector: self) }
}
