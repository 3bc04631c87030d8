import Foundation
import Hummingbird
import Logging

/// Runs a service built from the environment's settings until SIGTERM or
/// SIGINT, then shuts it down gracefully. A settings error is one clear line
/// on standard error and exit status 2.
public enum ServiceEntryPoint {
    public static func run<App: ApplicationProtocol>(
        label: String, build: (RegistrySettings, Logger) async throws -> App
    ) async {
        await runCommand(label: label) { settings, logger in
            try await build(settings, logger).runService()
        }
    }

    /// Runs a one-off operator command (such as a rebuild) with the
    /// environment's settings; a failure is one line on standard error and
    /// exit status 2.
    public static func runCommand(label: String, _ body: (RegistrySettings, Logger) async throws -> Void) async {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        do {
            try await body(RegistrySettings(), logger)
        } catch {
            FileHandle.standardError.write(Data("\(label): \(error)\n".utf8))
            exit(2)
        }
    }
}
