import HTTPTypes
import Hummingbird
import Shared

/// `GET /console`: the web page. For now a short page that points to the JSON API; the full
/// Integrations → API keys page comes with its own issue.
struct ConsolePageController: Sendable {
    /// Adds `GET /console`.
    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get { _, _ in
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .contentSecurityPolicy: "default-src 'none'; style-src 'self'; frame-ancestors 'none'",
                    HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                ],
                body: .init(byteBuffer: ByteBuffer(string: Self.page))
            )
        }
    }

    static let page = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Evalyo console</title></head>
        <body>
        <h1>Evalyo console: Integrations → API keys</h1>
        <p>The console page is not built yet. Its JSON API is live under <code>/console/api</code>:
        sign in with <code>POST /console/api/session</code>, then list, create and revoke keys under
        <code>/console/api/keys</code>. The README shows each call with curl.</p>
        </body></html>
        """
}
