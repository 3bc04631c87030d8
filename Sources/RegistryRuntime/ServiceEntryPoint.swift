import Foundation
import Logging
import ServiceLifecycle

/// Runs a service built from the settings (``RegistrySettings/load(environment:)``)
/// until SIGTERM or SIGINT, then shuts it down gracefully; with the
/// OpenTelemetry exporter beside it when ``TracingSettings`` turns tracing on. A settings error
/// is one clear line on standard error and exit status 2.
public enum ServiceEntryPoint {
    public static func run(
        label: String, build: (RegistrySettings, Logger) async throws -> some Service
    ) async {
        await runCommand(label: label) { settings, logger in
            // Started first, so spans of the service's start are exported,
            // and listed first, so the group stops it last and flushes.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let tracing = try TracingBackend.start(settings.tracing, serviceName: label, logger: logger) {
                services.append(.init(service: tracing))
            }
            services.append(.init(service: try await build(settings, logger)))
            try await ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            ).run()
        }
    }

    /// Runs a one-off operator command (such as a rebuild) with the
    /// settings; a failure is one line on standard error and exit status 2.
    /// `LOG_FORMAT` (`text`, the default, or `json`) chooses how logs are
    /// written and `LOG_LEVEL` how much.
    public static func runCommand(label: String, _ body: (RegistrySettings, Logger) async throws -> Void) async {
        let environment = ProcessInfo.processInfo.environment
        guard let format = LogFormat(rawValue: environment["LOG_FORMAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "text")
        else {
            FileHandle.standardError.write(Data("\(label): LOG_FORMAT must be text or json\n".utf8))
            exit(2)
        }
        format.bootstrap()
        var logger = Logger(label: label)
        logger.logLevel = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        do {
            try await body(try await RegistrySettings.load(), logger)
        } catch {
            FileHandle.standardError.write(Data("\(label): \(error)\n".utf8))
            exit(2)
        }
    }
}
