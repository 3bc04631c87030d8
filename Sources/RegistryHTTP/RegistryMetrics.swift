import Hummingbird
import Metrics
import Prometheus

/// The process's Prometheus registry, installed as the swift-metrics backend
/// the first time it is used, and served at `GET /metrics`.
public enum RegistryMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// `GET /metrics` in the Prometheus text format.
    static func addRoutes(to router: Router<RegistryRequestContext>) {
        let registry = self.registry
        router.get("metrics") { _, _ in
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4", .contentLength: String(bytes.count)],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
