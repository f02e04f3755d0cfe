import Foundation
import Hummingbird

extension Request {
    /// Decodes a JSON body (docs/design/hostile-clients.md): 415 without `Content-Type: application/json`, 400 for
    /// anything but strict RFC 8259 JSON, and every decoding failure a 400 that names the field.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: some RequestContext) async throws -> T {
        let buffer = try await self.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw APIError.validation("A JSON request body is required")
        }
        try requireJSONContentType()
        return try JSONRequestDecoding.decode(T.self, from: Array(buffer.readableBytesView))
    }

    /// The body decoded as `T`, or nil when there is none (for a POST whose body only changes a default).
    public func decodeOptionalJSON<T: Decodable>(as type: T.Type, context: some RequestContext) async throws -> T? {
        let buffer = try await self.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        try requireJSONContentType()
        return try JSONRequestDecoding.decode(T.self, from: Array(buffer.readableBytesView))
    }

    /// Throws 415 `UNSUPPORTED_MEDIA_TYPE` unless the body is declared `application/json`, with
    /// at most a `charset=utf-8` parameter (the only encoding read).
    public func requireJSONContentType() throws {
        guard let declared = headers[.contentType], JSONRequestDecoding.isJSON(declared) else {
            throw APIError.unsupportedMediaType
        }
    }
}

/// How request bodies are read: ISO-8601 dates, and decoding errors as `VALIDATION_ERROR`.
public enum JSONRequestDecoding {
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Decodes strict RFC 8259 JSON (see `StrictJSON`) with `decoder` (the request decoder by default), every failure a 400.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], decoder: JSONDecoder? = nil) throws -> T {
        do {
            try StrictJSON.validate(bytes)
        } catch {
            throw APIError.validation("The request body is not valid JSON: \(error.message) (at byte \(error.offset))")
        }
        do {
            return try (decoder ?? Self.decoder).decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw apiError(for: error)
        }
    }

    /// Whether a `Content-Type` value is `application/json`, alone or with `charset=utf-8`.
    static func isJSON(_ value: String) -> Bool {
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        return parts.dropFirst().allSatisfy { $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }
    }

    /// A 400 naming the field a decoding error is about, in the JSON path form `a.b[0]`.
    static func apiError(for error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(path(context.codingPath + [key]), "is required")
        case .valueNotFound(_, let context):
            return .invalidField(path(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return .validation("The request body must be a JSON object") }
            return .invalidField(path(context.codingPath), "must be \(describe(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return .validation("The request body is not valid JSON") }
            return .invalidField(path(context.codingPath), "has an invalid value")
        @unknown default:
            return .validation("The request body is invalid")
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        var result = ""
        for key in codingPath {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Date.Type: "an ISO-8601 date-time"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array")
                ? "an array" : (String(describing: type).hasPrefix("Dictionary") ? "an object" : "of another type")
        }
    }
}
