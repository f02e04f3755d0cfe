import Foundation
import Shared

/// The committed OpenAPI description of the public API, read as a test reads it: its
/// operations with the scope each one declares.
public enum OpenAPIDocument {
    /// The document: `EVALYO_OPENAPI`, else the key service's bundled copy.
    public static var url: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["EVALYO_OPENAPI"] ?? "Services/KeyService/APIDocs/Docs/openapi.json")
    }

    /// Every operation `service` answers (its tag's `x-service`, which the gateway's routes are
    /// generated from) as `METHOD /path [scope]`, the format of `ScopedRoute.description`: a
    /// service's route table must be exactly this set, so no test counts routes by hand.
    public static func operations(servedBy service: String) throws -> Set<String> {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let tags = document["tags"] as? [[String: Any]] ?? []
        let services = Dictionary(uniqueKeysWithValues: tags.compactMap { tag in (tag["name"] as? String).map { ($0, tag["x-service"] as? String) } })
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        var operations: Set<String> = []
        for (path, methods) in paths {
            for (method, raw) in methods {
                let operation = raw as? [String: Any] ?? [:]
                guard let tag = (operation["tags"] as? [String])?.first, services[tag] == service else { continue }
                let security = (operation["security"] as? [[String: [String]]])?.first?["apiKey"]?.first ?? "none"
                operations.insert("\(method.uppercased()) \(path) [\(security)]")
            }
        }
        return operations
    }
}

extension OpenAPIDocument {
    /// A property's `pattern` in a component schema, compiled as JSON Schema reads it (the
    /// whole string is searched; the document's patterns are anchored with `^` and `$`).
    public static func pattern(schema: String, property: String) throws -> Pattern {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let properties = (schemas?[schema] as? [String: Any])?["properties"] as? [String: Any]
        guard let pattern = (properties?[property] as? [String: Any])?["pattern"] as? String else {
            throw CocoaError(.coderValueNotFound, userInfo: [NSDebugDescriptionErrorKey: "no pattern at \(schema).\(property)"])
        }
        return Pattern(expression: try NSRegularExpression(pattern: pattern))
    }

    /// A compiled pattern of the document.
    public struct Pattern: @unchecked Sendable {
        let expression: NSRegularExpression

        /// Whether `text` matches (ICU's engine, which reads `\uXXXX` as ECMA-262 does).
        public func matches(_ text: String) -> Bool {
            expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }
}

extension OpenAPIDocument {
    /// The values of a named enumeration of the document (`WebhookEventType`).
    public static func enumeration(_ name: String) throws -> [String] {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        return (schemas?[name] as? [String: Any])?["enum"] as? [String] ?? []
    }
}
