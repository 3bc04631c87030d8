import Hummingbird
import Metrics
import Prometheus
import RegistryAPI

/// The process's Prometheus registry, installed as the swift-metrics backend
/// the first time it is used (``RegistryMetricsFactory``), and served at
/// `GET /metrics` with the process's own metrics, its build and whether it
/// is ready. The balancer does not route `/metrics`: Prometheus scrapes
/// each replica directly.
public enum RegistryMetrics {
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(RegistryMetricsFactory(registry: registry))
        return registry
    }()

    private static let process = ProcessMetrics(registry: registry)

    /// `GET /metrics` in the Prometheus text format, for `service`, whose
    /// readiness (`/readyz`'s check) is reported as `registry_ready`.
    static func addRoutes(
        to router: Router<RegistryRequestContext>, service: String, readiness: @escaping HealthController.ReadinessCheck
    ) {
        let registry = self.registry
        let process = self.process
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "registry_build_info", unitName: "",
                helpText: "Always 1; the labels say which service and release this is."),
            labels: [("service", service), ("version", RegistryBuild.version)]
        ).set(to: 1)
        let ready = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                metricName: "registry_ready", unitName: "",
                helpText: "1 when the replica is ready for traffic (/readyz answers 200), else 0; checked at each scrape."),
            labels: [("service", service)])
        router.get("metrics") { _, _ in
            process.update()
            ready.set(to: (try? await readiness()) == nil ? 0 : 1)
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4", .contentLength: String(bytes.count)],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
