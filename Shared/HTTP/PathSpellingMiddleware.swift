import Hummingbird

/// One spelling per route: a path with an empty segment (a doubled or trailing slash), a
/// percent-escape, or a `.` or `..` segment is 404, before anything else looks at the request.
/// Hummingbird's router skips empty segments, so `/console/api/session/` would reach the sign-in
/// handler while the gateway's limit, written for `/console/api/session`, never saw it; the
/// gateway refuses the same spellings (`gateway/nginx.conf`, `$evalyo_other_spelling`) and this
/// holds for a request that reaches a service some other way. No route of ours needs any of
/// them: ids are UUIDs and names are plain words.
public struct PathSpellingMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isCanonical(request.uri.path) else { throw APIError.notFound("No such path") }
        return try await next(request, context)
    }

    /// Whether `path` is spelled the one way its route is: `/` or `/`-separated non-empty
    /// segments, none of them `.` or `..`, with no `%`.
    /// One pass over the bytes, without allocating: it runs on every request.
    public static func isCanonical(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var bytes = path.utf8.makeIterator()
        guard bytes.next() == slash else { return false }
        var length = 0
        var dots = 0
        var any = false
        while let byte = bytes.next() {
            any = true
            if byte == UInt8(ascii: "%") { return false }
            if byte == slash {
                // The segment that just ended: empty, "." or "..".
                if length == 0 || length == dots && dots <= 2 { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == dot { dots += 1 }
            }
        }
        // "/" alone is the root; otherwise the last segment must be a real one (no trailing slash).
        return !any || !(length == 0 || length == dots && dots <= 2)
    }
}
