import Logging
import OTel
import ServiceLifecycle
import Tracing

/// Starts exporting traces over OTLP, when ``TracingSettings`` says where.
///
/// Only traces: metrics stay on `/metrics` (Prometheus) and logs on
/// standard output. The tracer becomes the process's global one (Hummingbird's
/// `TracingMiddleware` and `withSpan` use it), so this runs once, before the
/// service is built.
public enum TracingBackend {
    /// Bootstraps the tracer for `serviceName` and returns the service that
    /// batches and exports spans (run it in the service group, before the
    /// application, so it stops last and flushes the final spans); `nil`
    /// when tracing is off.
    public static func start(_ settings: TracingSettings, serviceName: String, logger: Logger) throws
        -> (any Service)?
    {
        guard let endpoint = settings.endpoint else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        // The exporter's own messages go through the service's logger, so
        // LOG_FORMAT=json covers them too.
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        logger.info("exporting traces over OTLP", metadata: ["endpoint": "\(endpoint.absoluteString)"])
        return backend.service
    }
}
