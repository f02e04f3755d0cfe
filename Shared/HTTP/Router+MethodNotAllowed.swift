import HTTPTypes
import Hummingbird

extension Router where Context == AppRequestContext {
    /// Answers 405 with `Allow` for a known path asked with a method it does not serve.
    /// Call it last in `buildRouter`, once every route is declared: Hummingbird's trie answers
    /// such requests 404 on its own.
    public func addMethodNotAllowedRoutes() {
        // QUERY (draft-ietf-httpbis-safe-method-w-body) too: a client may try it on any path.
        let standard: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .trace, HTTPRequest.Method("QUERY")!]
        var methodsByPath: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in self.routes {
            methodsByPath[route.path.description, default: (route.path, [])].methods.append(route.method)
        }
        for (_, entry) in methodsByPath {
            let allowed = standard.filter { entry.methods.contains($0) }
            for method in standard where !entry.methods.contains(method) {
                self.on(entry.path, method: method) { _, _ -> Response in
                    throw APIError.methodNotAllowed(allowed: allowed)
                }
            }
        }
    }
}
