import Foundation

/// Gathers every problem with a request's fields, then throws one 400 naming them all.
public struct FieldValidator: Sendable {
    public private(set) var details: [APIError.Detail] = []

    public init() {}

    /// Records a problem with `field`.
    public mutating func fail(_ field: String, _ message: String) {
        details.append(.init(field: field, message: message))
    }

    /// A required, trimmed text of 1 to `max` characters; nil (with a problem) otherwise.
    public mutating func required(_ value: String?, _ field: String, max: Int = 200) -> String? {
        guard let value else {
            fail(field, "is required")
            return nil
        }
        let trimmed = WhiteSpace.trimmed(value)
        if trimmed.isEmpty {
            fail(field, "must not be empty")
        } else if Self.length(value) > max {
            fail(field, "must be at most \(max) characters")
        } else if Self.hasNUL(value) {
            fail(field, Self.noNUL)
        }
        return trimmed
    }

    /// An optional text of at most `max` characters, trimmed; blank becomes nil.
    public mutating func optional(_ value: String?, _ field: String, max: Int = 200) -> String? {
        guard let value else { return nil }
        let trimmed = WhiteSpace.trimmed(value)
        if Self.length(value) > max { fail(field, "must be at most \(max) characters") } else if Self.hasNUL(value) { fail(field, Self.noNUL) }
        return trimmed.isEmpty ? nil : trimmed
    }

    /// An integer within `range`, when present.
    public mutating func range(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) {
        if let value, !range.contains(value) {
            fail(field, "must be from \(range.lowerBound) to \(range.upperBound)")
        }
    }

    /// A list of at most `maxCount` non-empty strings of at most `maxLength` characters, trimmed.
    public mutating func strings(_ values: [String]?, _ field: String, maxCount: Int = 50, maxLength: Int = 100) -> [String] {
        guard let values else { return [] }
        if values.count > maxCount { fail(field, "must have at most \(maxCount) entries") }
        var result: [String] = []
        for (index, value) in values.enumerated() {
            let trimmed = WhiteSpace.trimmed(value)
            if trimmed.isEmpty || Self.length(value) > maxLength {
                fail("\(field)[\(index)]", "must be 1 to \(maxLength) characters")
            } else if Self.hasNUL(value) {
                fail("\(field)[\(index)]", Self.noNUL)
            } else if !result.contains(trimmed) {
                result.append(trimmed)
            }
        }
        return result
    }

    /// One of an enum's values (the API's enums are UPPERCASE), when present.
    public mutating func oneOf<E: RawRepresentable & CaseIterable>(_ raw: String?, _ field: String, as type: E.Type) -> E?
    where E.RawValue == String {
        guard let raw else { return nil }
        guard let value = E(rawValue: raw) else {
            fail(field, "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// An `http` or `https` URL (``WebAddress``) of at most 2000 characters, trimmed; blank becomes nil.
    public mutating func url(_ value: String?, _ field: String) -> String? {
        guard let value else { return nil }
        if Self.length(value) > 2000 {
            fail(field, "must be at most 2000 characters")
            return nil
        }
        if WhiteSpace.trimmed(value).isEmpty { return nil }
        guard let address = WebAddress.parse(value) else {
            fail(field, "must be an http or https URL")
            return nil
        }
        return address
    }

    /// A text's length as JSON Schema's `maxLength` counts it (Unicode code points), before
    /// trimming: the limits the OpenAPI document states are exactly the ones enforced.
    static func length(_ value: String) -> Int {
        value.unicodeScalars.count
    }

    /// PostgreSQL cannot store the NUL character in text, so no text field may hold one.
    static func hasNUL(_ value: String) -> Bool {
        value.utf8.contains(0)
    }

    static let noNUL = "must not contain NUL characters"

    /// Throws a 400 `VALIDATION_ERROR` listing every problem, if there is any.
    public func check() throws {
        guard !details.isEmpty else { return }
        let message = details.count == 1 ? "\(details[0].field) \(details[0].message)" : "Some fields are invalid"
        throw APIError.validation(message, details: details)
    }
}
