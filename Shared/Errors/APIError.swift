import Foundation
import HTTPTypes
import Hummingbird

/// An error in the API's error shape: `{"error": {"code", "message", "details"}}` (docs/api-guide.md, "Conventions").
public struct APIError: Error, HTTPResponseError, Sendable {
    /// One problem with one field of the request.
    public struct Detail: Codable, Sendable, Equatable {
        public let field: String
        public let message: String
        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var details: [Detail]
    public var headers: HTTPFields
    /// The scope a 403 names (docs/api-guide.md, "Calling the API with a key").
    public var requiredScope: String?
    /// The least console role that may do what a 403 refused (docs/api-guide.md, "Members and roles").
    public var requiredRole: String?

    public init(
        _ status: HTTPResponse.Status,
        code: String,
        message: String,
        details: [Detail] = [],
        headers: HTTPFields = [:],
        requiredScope: String? = nil,
        requiredRole: String? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
        self.requiredScope = requiredScope
        self.requiredRole = requiredRole
    }

    /// Renders the error as a JSON response with its headers.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        self.response()
    }

    /// Renders the error as a JSON response with its headers, without a request at hand.
    public func response() -> Response {
        let body = Body(
            error: .init(
                code: code, message: message, details: details.isEmpty ? nil : details, requiredScope: requiredScope, requiredRole: requiredRole)
        )
        let data = (try? Self.encoder.encode(body)) ?? Data(#"{"error":{"code":"INTERNAL_ERROR","message":"Internal error"}}"#.utf8)
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    struct Body: Encodable {
        struct Object: Encodable {
            let code: String
            let message: String
            let details: [Detail]?
            let requiredScope: String?
            let requiredRole: String?
        }
        let error: Object
    }
}

extension APIError {
    /// 400 `VALIDATION_ERROR`, with the fields at fault.
    public static func validation(_ message: String, details: [Detail] = []) -> APIError {
        APIError(.badRequest, code: "VALIDATION_ERROR", message: message, details: details)
    }

    /// 400 `VALIDATION_ERROR` for one field.
    public static func invalidField(_ field: String, _ problem: String) -> APIError {
        .validation("\(field) \(problem)", details: [Detail(field: field, message: problem)])
    }

    /// 404 `NOT_FOUND`: also the answer for another organization's id (docs/api-guide.md, "Calling the API with a key").
    public static func notFound(_ message: String = "Resource not found") -> APIError {
        APIError(.notFound, code: "NOT_FOUND", message: message)
    }

    /// 405 `METHOD_NOT_ALLOWED`, with the `Allow` header.
    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> APIError {
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "Method not allowed here; allowed: \(allow)", headers: [.allow: allow])
    }

    /// 409 with a conflict-family code such as `EMAIL_ALREADY_EXISTS`.
    public static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(.conflict, code: code, message: message)
    }

    /// 422 with a business-rule code such as `SCOPES_IMMUTABLE`.
    public static func unprocessable(_ code: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: code, message: message)
    }

    /// 413 `PAYLOAD_TOO_LARGE`.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: "PAYLOAD_TOO_LARGE", message: "Request body is larger than \(limit / 1024) KiB")
    }

    /// 503 `SERVICE_UNAVAILABLE` with `Retry-After`.
    /// 415: a body that is not declared `application/json` (docs/design/hostile-clients.md).
    public static let unsupportedMediaType = APIError(
        .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE", message: "The request body must be sent with Content-Type: application/json"
    )

    public static func unavailable(_ message: String, retryAfter seconds: Int = 1) -> APIError {
        APIError(.serviceUnavailable, code: "SERVICE_UNAVAILABLE", message: message, headers: [.retryAfter: String(seconds)])
    }

    /// 500 `INTERNAL_ERROR`: says nothing of the cause, which goes to the log instead.
    public static let internalError = APIError(
        .internalServerError, code: "INTERNAL_ERROR", message: "Internal error; the request id identifies it in our logs")

    /// The API's code for a status that carries no more specific one.
    public static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "VALIDATION_ERROR"
        case 401: "UNAUTHORIZED"
        case 403: "FORBIDDEN"
        case 404: "NOT_FOUND"
        case 405: "METHOD_NOT_ALLOWED"
        case 409: "CONFLICT"
        case 413: "PAYLOAD_TOO_LARGE"
        case 415: "UNSUPPORTED_MEDIA_TYPE"
        case 429: "RATE_LIMITED"
        case 503: "SERVICE_UNAVAILABLE"
        case 400..<500: "BAD_REQUEST"
        default: "INTERNAL_ERROR"
        }
    }
}
