import Foundation
import Shared

/// The committed OpenAPI description of the public API, read as a test reads it: its
/// operations with the scope each one declares.
public enum OpenAPIDocument {
    /// The document: `EVALYO_OPENAPI`, else the key service's bundled copy.
    public static var url: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["EVALYO_OPENAPI"] ?? "Services/KeyService/APIDocs/Docs/openapi.json")
    }

    /// Every operation as `METHOD /path [scope]` (the format of `ScopedRoute.description`),
    /// for the paths that start with one of `prefixes`.
    public static func operations(under prefixes: [String]) throws -> Set<String> {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        var operations: Set<String> = []
        for (path, methods) in paths where prefixes.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            for (method, raw) in methods {
                let operation = raw as? [String: Any] ?? [:]
                let security = (operation["security"] as? [[String: [String]]])?.first?["apiKey"]?.first ?? "none"
                operations.insert("\(method.uppercased()) \(path) [\(security)]")
            }
        }
        return operations
    }
}
