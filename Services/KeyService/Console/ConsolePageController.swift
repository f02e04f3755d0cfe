import Hummingbird
import Shared

/// `GET /console` and `GET /console/assets/{file}`: the Integrations → API keys page, its script
/// and its style sheet (the bundled `Console/Assets` folder).
struct ConsolePageController: Sendable {
    let files: BundledFiles

    init() throws {
        files = try BundledFiles(resource: "Assets")
    }

    /// Adds `GET /console` and `GET /console/assets/{file}`.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { _, _ in try files.response("console.html") }
        group.get("assets/{file}") { _, context in try files.response(try context.parameters.require("file")) }
    }
}
