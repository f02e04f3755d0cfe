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
    public static func isCanonical(_ path: String) -> Bool {
        guard path != "/" else { return true }
        guard path.hasPrefix("/"), !path.utf8.contains(UInt8(ascii: "%")) else { return false }
        return path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && !segment.elementsEqual(".".utf8) && !segment.elementsEqual("..".utf8)
        }
    }
}
