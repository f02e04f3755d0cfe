import HTTPTypes
import Hummingbird

extension Router where Context == AppRequestContext {
    /// Answers 405 with `Allow` for a known path asked with a method it does not serve.
    /// Call it last in `buildRouter`, once every route is declared: Hummingbird's trie answers
    /// such requests 404 on its own.
    public func addMethodNotAllowedRoutes() {
        // QUERY (draft-ietf-httpbis-safe-method-w-body) too: a client may try it on any path.
        let standard: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!]
        var methodsByPath: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in self.routes {
            methodsByPath[route.path.description, default: (route.path, [])].methods.append(route.method)
        }
        for (_, entry) in methodsByPath {
            // Every GET route answers HEAD too (the router's autoGenerateHeadEndpoints option).
            let served = entry.methods.contains(.get) ? entry.methods + [.head] : entry.methods
            let allowed = standard.filter { served.contains($0) }
            for method in standard where !served.contains(method) {
                self.on(entry.path, method: method) { _, _ -> Response in
                    throw APIError.methodNotAllowed(allowed: allowed)
                }
            }
        }
    }
}
