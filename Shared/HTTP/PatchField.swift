/// A field of a PATCH body: absent (leave it), null (clear it) or a new value.
public enum PatchField<Value: Sendable>: Sendable {
    case absent
    case null
    case value(Value)

    /// The field after applying the patch to `current`.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .absent: current
        case .null: nil
        case .value(let value): value
        }
    }

    /// Whether the body sent an explicit null.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The new value, when the body gives one (neither absent nor null).
    public var value: Value? {
        if case .value(let value) = self { return value }
        return nil
    }

    /// Whether the body named the field at all.
    public var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }
}

extension PatchField: Decodable where Value: Decodable {
    /// A field that is present: null or a value. A missing one never gets here: the container
    /// overloads below answer `.absent` for it, so inputs use synthesized `Decodable`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }
}

extension KeyedDecodingContainer {
    /// A `PatchField` property of a synthesized `init(from:)`: absent when the key is missing,
    /// keeping the difference between a missing key and an explicit null.
    public func decode<T: Decodable & Sendable>(_ type: PatchField<T>.Type, forKey key: Key) throws -> PatchField<T> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(T.self, forKey: key))
    }

    /// An integer field. Foundation reports a fractional or oversized number without the
    /// field's path, so it is read as a number first and refused here with the path kept.
    public func decode(_ type: PatchField<Int>.Type, forKey key: Key) throws -> PatchField<Int> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        let number = try decode(Double.self, forKey: key)
        guard number.rounded() == number, abs(number) < 1e15 else {
            throw DecodingError.typeMismatch(Int.self, .init(codingPath: codingPath + [key], debugDescription: "not an integer"))
        }
        return .value(Int(number))
    }
}
