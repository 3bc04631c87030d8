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
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        do {
            let settings = try RegistrySettings()
            let app = try await build(settings, logger)
            try await app.runService()
        } catch {
            FileHandle.standardError.write(Data("\(label): \(error)\n".utf8))
            exit(2)
        }
    }
}
