import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-Id`, the correlation id of a request across services and logs.
    public static let requestId = HTTPField.Name("X-Request-Id")!
}

/// Takes the caller's `X-Request-Id` (or makes one), puts it in every log line and echoes it back.
public struct RequestIdMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    /// Sets the id on the context and logger, and on the response, whatever its status.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.requestId].flatMap(Self.acceptable) ?? UUID().uuidString.lowercased()
        context.requestId = id
        // Hummingbird's own log lines read this key too, so every line carries the same id.
        context.logger[metadataKey: "hb.request.id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[.requestId] = id
        return response
    }

    /// A caller's id is kept if it is short and plain; anything else could forge log lines.
    static func acceptable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x3A
        }
        return allowed ? value : nil
    }
}
