import Foundation
import ReadModel

/// Whether and where a replica exports traces: OpenTelemetry's own
/// environment variables, so an operator configures this service as any
/// other. Tracing is on when `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_ENDPOINT` is set and `OTEL_SDK_DISABLED` is not
/// `true`; swift-otel reads the remaining `OTEL_*` variables itself
/// (protocol, headers, sampler, batch sizes).
public struct TracingSettings: Sendable, Equatable {
    /// The OTLP endpoint traces go to; `nil` when tracing is off.
    public var endpoint: URL?

    public init(endpoint: URL? = nil) {
        self.endpoint = endpoint
    }

    /// Reads the OpenTelemetry variables of `environment`; a malformed
    /// endpoint is an error naming the variable.
    public init(environment: [String: String]) throws(ConfigurationError) {
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" { self.init(); return }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"] {
            guard let text = environment[name], !text.isEmpty else { continue }
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host?.isEmpty == false
            else {
                throw ConfigurationError("\(name) must be an http or https URL (got \"\(text)\")")
            }
            self.init(endpoint: url)
            return
        }
        self.init()
    }
}
