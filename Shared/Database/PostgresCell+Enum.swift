import PostgresNIO

/// A stored value that this code does not know: a row written by a newer version, or by hand.
/// It is never mapped to a default (the next write would store the default back): the request
/// fails with 500 and the log says which column held what.
public struct StoredValueError: Error, CustomStringConvertible {
    public let column: String
    public let value: String
    public let type: String

    public init(column: String, value: String, type: String) {
        self.column = column
        self.value = value
        self.type = type
    }

    public var description: String { "column \(column) holds \"\(value)\", which \(type) does not name" }
}

extension PostgresCell {
    /// Decodes a text column into the enum whose raw values it stores; throws `StoredValueError`
    /// for a value the enum does not have.
    public func decodeEnum<E: RawRepresentable>(_ type: E.Type) throws -> E where E.RawValue == String {
        let raw = try decode(String.self)
        guard let value = E(rawValue: raw) else { throw StoredValueError(column: columnName, value: raw, type: String(describing: E.self)) }
        return value
    }

    /// The same for a nullable column: NULL is nil, an unknown value still throws.
    public func decodeEnum<E: RawRepresentable>(_ type: E?.Type) throws -> E? where E.RawValue == String {
        guard try decode(String?.self) != nil else { return nil }
        return try decodeEnum(E.self)
    }
}
