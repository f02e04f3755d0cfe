import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// A folder of the key service's resources (a page, its script and style sheet, a document),
/// read once at start and served from memory with the pages' security headers.
struct BundledFiles: Sendable {
    /// A served file: its bytes and media type.
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    /// The pages' policy: only this origin's own script, style and data; no inline code, no
    /// framing, no form posts elsewhere.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'",
        "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
    ].joined(separator: "; ")

    let files: [String: File]

    /// Reads every file of the bundled folder `resource`.
    init(resource: String) throws {
        guard let directory = Bundle.module.url(forResource: resource, withExtension: nil) else {
            throw ConfigurationError("the folder \(resource) is missing from the key service's resources")
        }
        var files: [String: File] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = File(body: ByteBuffer(bytes: data), contentType: Self.contentType(of: name))
        }
        self.files = files
    }

    /// The media type of a file, by its extension.
    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json; charset=utf-8"
        default: "application/octet-stream"
        }
    }

    /// The file `name`, or 404 in the API's error shape; revalidated on each load so an upgrade shows at once.
    func response(_ name: String) throws -> Response {
        guard let file = files[name] else { throw APIError(.notFound, code: "NOT_FOUND", message: "No such file") }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.contentType,
                .contentSecurityPolicy: Self.contentSecurityPolicy,
                .cacheControl: "no-cache",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
                HTTPField.Name("X-Frame-Options")!: "DENY",
            ],
            body: .init(byteBuffer: file.body)
        )
    }
}
