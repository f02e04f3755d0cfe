import Hummingbird
import Logging
import Metrics

/// Counts and times every request by method, route and status, and writes one access-log line.
/// The route is the declared pattern (`/console/api/keys/{id}`), never the raw path, so ids and
/// unknown paths cannot blow up the label set; the query string is never logged.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    public init(metrics: ServiceMetrics) {
        self.metrics = metrics
    }

    /// Times the rest of the chain and records the outcome.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let route = context.endpointPath ?? "unmatched"
            let dimensions = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            Counter(label: "http_requests_total", dimensions: dimensions, factory: metrics.factory).increment()
            Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: metrics.factory)
                .recordNanoseconds(elapsed.nanosecondsCount)
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "route": "\(route)",
                    "status": "\(status)", "duration_ms": "\(Double(elapsed.nanosecondsCount) / 1_000_000)",
                ]
            )
        }
        response = try await next(request, context)
        status = response.status.code
        return response
    }
}
