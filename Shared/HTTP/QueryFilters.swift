import Foundation
import Hummingbird

extension Request {
    /// A query-string filter validated as one of an enum's values; 400 otherwise.
    public func enumFilter<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E? where E.RawValue == String {
        guard let raw = uri.queryParameters[name[...]] else { return nil }
        var validator = FieldValidator()
        let value = validator.oneOf(String(raw), name, as: E.self)
        try validator.check()
        return value
    }

    /// A query-string filter that must be a UUID; 400 otherwise.
    public func uuidFilter(_ name: String) throws -> UUID? {
        guard let raw = uri.queryParameters[name[...]] else { return nil }
        guard let id = UUID(uuidString: String(raw)) else { throw APIError.invalidField(name, "must be a UUID") }
        return id
    }

    /// A free-text query-string filter of at most `max` characters; 400 beyond.
    public func textFilter(_ name: String, max: Int = 200) throws -> String? {
        guard let raw = uri.queryParameters[name[...]] else { return nil }
        // Counted as JSON Schema counts (code points, before trimming), like every documented limit.
        guard String(raw).unicodeScalars.count <= max else { throw APIError.invalidField(name, "must be at most \(max) characters") }
        guard !String(raw).utf8.contains(0) else { throw APIError.invalidField(name, "must not contain NUL characters") }
        let value = String(raw).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
