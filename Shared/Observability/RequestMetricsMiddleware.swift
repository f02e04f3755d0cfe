import Hummingbird
import Logging
import Metrics
import Synchronization

/// Counts and times every request by method, route and status, and writes one access-log line.
/// The route is the declared pattern (`/console/api/keys/{id}`), never the raw path, so ids and
/// unknown paths cannot blow up the label set; the query string is never logged. The counter
/// and timer of each method, route and status are made once and kept (`RequestMetricHandles`):
/// looking them up by name in the factory on every request cost more than the rest of it.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let handles: RequestMetricHandles

    public init(metrics: ServiceMetrics) {
        self.handles = RequestMetricHandles(metrics: metrics)
    }

    /// Times the rest of the chain and records the outcome.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let route = context.endpointPath ?? "unmatched"
            let (counter, timer) = handles.for(method: request.method.rawValue, route: route, status: status)
            counter.increment()
            timer.recordNanoseconds(elapsed.nanosecondsCount)
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

/// The request counter and timer of each method, route and status, made on first use.
final class RequestMetricHandles: Sendable {
    struct Key: Hashable, Sendable {
        let method: String
        let route: String
        let status: Int
    }

    let metrics: ServiceMetrics
    let handles = Mutex<[Key: (Counter, Metrics.Timer)]>([:])

    init(metrics: ServiceMetrics) {
        self.metrics = metrics
    }

    /// The handles for one outcome; the set is bounded by the routes and statuses that exist.
    func `for`(method: String, route: String, status: Int) -> (Counter, Metrics.Timer) {
        let key = Key(method: method, route: route, status: status)
        if let found = handles.withLock({ $0[key] }) { return found }
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        let made = (
            Counter(label: "http_requests_total", dimensions: dimensions, factory: metrics.factory),
            Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions, factory: metrics.factory)
        )
        return handles.withLock { handles in
            if let found = handles[key] { return found }
            handles[key] = made
            return made
        }
    }
}
