import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PostgresNIO

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
    ///
    /// The claim, the work and the kept answer are one transaction (`RequestTransaction`): a
    /// request either happened with its answer kept, or did not happen at all, whenever its
    /// process dies. A 4xx rolls the work back and is kept in a short transaction of its own; a
    /// 5xx rolls everything back and is not kept, so a retry runs the work again.
    func run(
        _ request: Request, context: APIRequestContext, key: String,
        _ handler: @escaping @Sendable (Request) async throws -> Response
    ) async throws -> Response {
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw APIError.invalidField("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
        }
        var request = request
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        request.body = RequestBody(buffer: body)
        let fingerprint = Self.fingerprint(method: request.method.rawValue, uri: request.uri.description, body: Array(body.readableBytesView))
        let organizationId = context.organizationId
        let (logger, request_) = (context.logger, request)
        let outcome: Outcome
        let hooks = RequestTransaction.CommitHooks()
        do {
            outcome = try await client.transaction(logger: self.logger) { connection in
                switch try await claim(on: connection, organizationId: organizationId, key: key, fingerprint: fingerprint) {
                case .reused: return .reused
                case .inUse: return .inUse
                case .replay(let answer): return .replay(answer)
                case .claimed: break
                }
                do {
                    let response = try await RequestTransaction.$connection.withValue(connection) {
                        try await RequestTransaction.$commitHooks.withValue(hooks) { try await handler(request_) }
                    }
                    // A 5xx: nothing is kept, the work is undone, and a retry runs it again.
                    guard response.status.code < 500 else { throw Undone(response: response) }
                    let answer = try await Self.answer(of: response)
                    try await keep(on: connection, organizationId: organizationId, key: key, fingerprint: fingerprint, answer: answer)
                    return .done(answer, response.headers)
                } catch let undone as Undone {
                    throw undone
                } catch {
                    let apiError = ErrorMiddleware<APIRequestContext>.apiError(for: error, request: request_, logger: logger)
                    guard apiError.status.code < 500 else { throw error }
                    // A 4xx: the work's writes go with this transaction; its answer is kept below.
                    throw Rejected(error: apiError)
                }
            }
        } catch let undone as Undone {
            return undone.response
        } catch let rejected as Rejected {
            let answer = try await Self.answer(of: rejected.error.response())
            try await client.transaction(logger: self.logger) { connection in
                // Unless another request with the key came in between (then its answer is the one kept).
                guard try await claim(on: connection, organizationId: organizationId, key: key, fingerprint: fingerprint) == .claimed else { return }
                try await keep(on: connection, organizationId: organizationId, key: key, fingerprint: fingerprint, answer: answer)
            }
            throw rejected.error
        }
        switch outcome {
        case .reused:
            throw APIError.unprocessable(
                "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for another request (method, path or body); use a new key for a new request"
            )
        case .inUse:
            throw APIError.conflict("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is still running; retry once it has finished")
        case .replay(let answer):
            return Self.response(answer, replayed: true)
        case .done(let answer, let headers):
            // Committed: wake what reads the work's writes (a rolled-back work's hooks are dropped).
            hooks.run()
            return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
    }

    /// How the transaction of an idempotent request ended.
    enum Outcome: Sendable {
        case reused, inUse
        case replay(Answer)
        /// The work is committed with its answer (and the headers it was sent with).
        case done(Answer, HTTPFields)
    }

    /// A 4xx, thrown out of the transaction to roll the work back, then kept and thrown again.
    struct Rejected: Error {
        let error: APIError
    }

    /// A 5xx answer, thrown out of the transaction to roll it back, then sent.
    struct Undone: Error, @unchecked Sendable {
        let response: Response
    }

    /// The answer to keep: status, the headers a replay needs, the body read once.
    static func answer(of response: Response) async throws -> Answer {
        let collector = BodyCollector()
        try await response.body.write(collector.writer)
        return Answer(
            status: response.status.code, contentType: response.headers[.contentType], location: response.headers[.location], body: collector.bytes)
    }

    /// A kept answer as a response; `Idempotent-Replayed: true` when it is sent again.
    static func response(_ answer: Answer, replayed: Bool) -> Response {
        var headers: HTTPFields = replayed ? [.idempotentReplayed: "true"] : [:]
        if let contentType = answer.contentType { headers[.contentType] = contentType }
        if let location = answer.location { headers[.location] = location }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
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
