import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// `GET /console` and `GET /console/assets/{file}`: the Integrations → API keys page, its script
/// and its style sheet, read once from the target's resources and served from memory.
struct ConsolePageController: Sendable {
    /// A served file: its bytes and media type.
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    /// The page's policy: only this origin's own script, style and API; no inline code, no
    /// framing, no form posts elsewhere.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
        "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    ].joined(separator: "; ")

    let page: Asset
    let assets: [String: Asset]

    /// Reads the page and its assets from `directory` (the bundled `Console/Assets` by default).
    init(directory: URL? = nil) throws {
        guard let directory = directory ?? Bundle.module.url(forResource: "Assets", withExtension: nil) else {
            throw ConfigurationError("the console's assets are missing from the key service's resources")
        }
        func load(_ name: String, _ contentType: String) throws -> Asset {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            return Asset(body: ByteBuffer(bytes: data), contentType: contentType)
        }
        page = try load("console.html", "text/html; charset=utf-8")
        assets = [
            "console.js": try load("console.js", "text/javascript; charset=utf-8"),
            "console.css": try load("console.css", "text/css; charset=utf-8"),
        ]
    }

    /// Adds `GET /console` and `GET /console/assets/{file}`.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { _, _ in Self.response(page) }
        group.get("assets/{file}") { _, context in
            guard let asset = assets[try context.parameters.require("file")] else {
                throw APIError(.notFound, code: "NOT_FOUND", message: "No such asset")
            }
            return Self.response(asset)
        }
    }

    /// The asset with the page's security headers; revalidated on each load so an upgrade shows at once.
    static func response(_ asset: Asset) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType,
                .contentSecurityPolicy: contentSecurityPolicy,
                .cacheControl: "no-cache",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
                HTTPField.Name("X-Frame-Options")!: "DENY",
            ],
            body: .init(byteBuffer: asset.body)
        )
    }
}
