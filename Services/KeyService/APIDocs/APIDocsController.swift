import Hummingbird
import Shared

/// `GET /api/v1/openapi.json` (the OpenAPI 3.1 description of the public API) and
/// `GET /api/v1/docs` (the reference page generated from it, with its script and style sheet),
/// from the bundled `APIDocs/Docs` folder. Public: no key is needed to read the documentation.
struct APIDocsController: Sendable {
    let files: BundledFiles

    init() throws {
        files = try BundledFiles(resource: "Docs")
    }

    /// Adds the document and the page.
    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/openapi.json") { _, _ in
            var response = try files.response("openapi.json")
            // Client generators and other tools may read it from anywhere.
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        router.get("/api/v1/docs") { _, _ in try files.response("docs.html") }
        router.get("/api/v1/docs/{file}") { _, context in
            let name = try context.parameters.require("file")
            guard name != "docs.html", name != "openapi.json" else { throw APIError(.notFound, code: "NOT_FOUND", message: "No such file") }
            return try files.response(name)
        }
    }
}
