import Hummingbird
import Logging
import PostgresNIO

/// Turns every error into the API's JSON error shape; nothing internal reaches the body.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    /// Runs the rest of the chain, mapping what it throws to an `APIError` response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.apiError(for: error, request: request, logger: context.logger).response()
        }
    }

    /// The API error an arbitrary thrown error stands for. Whatever a cancelled request's work
    /// throws (its deadline passed, or the client left) is a 503: cancellation surfaces as many
    /// different errors, and none of them is the request's fault or a server bug.
    static func apiError(for error: any Error, request: Request, logger: Logger) -> APIError {
        if Task.isCancelled, !(error is APIError) {
            return .unavailable("The request took too long; retry shortly", retryAfter: 2)
        }
        switch error {
        case let error as APIError:
            return error
        case let error as HTTPError:
            return Self.translate(status: error.status, message: error.body, request: request)
        case let error as any HTTPResponseError:
            return Self.translate(status: error.status, message: nil, request: request)
        case _ where String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError"):
            // The pool gave up connecting (its circuit breaker): PostgreSQL is down for a while.
            logger.error("database unreachable", metadata: ["error": "\(String(reflecting: error))"])
            return .unavailable("The database is unavailable; retry shortly", retryAfter: 5)
        case is CancellationError:
            return .unavailable("The request was cancelled; retry shortly", retryAfter: 1)
        case let error as PSQLError where error.isUnstorableText:
            // A field no validation named (a NUL character in a filter, say): still the client's input.
            return .validation("Text must not contain NUL characters")
        case let error as PSQLError where error.isTransientServerFailure:
            // PostgreSQL restarting, shutting down or out of connections: a passing condition.
            logger.error(
                "database unavailable", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")", "error": "\(String(reflecting: error.code))"])
            return .unavailable("The database is unavailable; retry shortly", retryAfter: 2)
        case let error as PSQLError where error.serverInfo == nil:
            // No answer from PostgreSQL (down, restarting, pool closed): a passing condition.
            logger.error("database unreachable", metadata: ["error": "\(String(reflecting: error.code))"])
            return .unavailable("The database is unavailable; retry shortly", retryAfter: 2)
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }

    /// Maps a framework error to the API's code and a message fit for a client.
    static func translate(status: HTTPResponse.Status, message: String?, request: Request) -> APIError {
        switch status {
        case .notFound:
            return .notFound("No route for \(request.method) \(request.uri.path)")
        case .contentTooLarge:
            return .payloadTooLarge(limit: RequestLimits.maxBodyBytes)
        case .badRequest:
            return .validation(message ?? "Malformed request")
        default:
            return APIError(status, code: APIError.code(for: status), message: message ?? status.reasonPhrase)
        }
    }
}
