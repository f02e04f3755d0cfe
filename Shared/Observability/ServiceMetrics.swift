import Metrics
import Prometheus

/// A service's Prometheus registry and the factory that feeds it; tests get one each.
public struct ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    /// Makes this registry the process-wide metrics back end, for libraries that use the global one.
    public func bootstrapGlobally() {
        MetricsSystem.bootstrap(factory)
    }

    /// The registry in Prometheus text format.
    public func exposition() -> String {
        registry.emitToString()
    }
}
