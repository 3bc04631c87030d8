import Foundation
import RegistryHTTP
import RegistryRuntime

/// A real `image-ingest` or `image-projector` process, built by
/// `scripts/test`, configured like `settings`.
final class ServiceProcess: @unchecked Sendable {
    let process = Process()
    let port: Int

    init(
        _ name: String, settings: RegistrySettings, port: Int? = nil, extra: [String: String] = [:],
        arguments: [String] = [], output: Pipe? = nil
    ) throws {
        let port = try port ?? FreePort.find()
        self.port = port
        let binaries = try TestEnvironment.required("REGISTRY_TEST_BIN_DIR")
        process.executableURL = URL(fileURLWithPath: binaries).appendingPathComponent(name)
        process.arguments = arguments
        if let output { process.standardOutput = output }
        process.environment = ProcessInfo.processInfo.environment.merging([
            "IMAGE_REGISTRY_JWT_SECRET": TestEnvironment.jwtSecret,
            "IMAGE_REGISTRY_INGEST_PORT": String(port),
            "IMAGE_REGISTRY_PROJECTOR_PORT": String(port),
            "IMAGE_REGISTRY_DATABASE_URL": settings.databaseURL,
            "IMAGE_REGISTRY_KAFKA_BROKERS": settings.kafkaBrokers,
            "IMAGE_REGISTRY_TOPIC": settings.topic,
            "IMAGE_REGISTRY_TOPIC_PARTITIONS": String(settings.topicPartitions),
            "IMAGE_REGISTRY_CONSUMER_GROUP": settings.consumerGroup,
            "IMAGE_REGISTRY_MIGRATIONS_DIR": settings.migrationsDirectory.path,
            "IMAGE_REGISTRY_BLOB_DIR": settings.blobDirectory,
            "IMAGE_REGISTRY_WAIT_TIMEOUT_MS": String(settings.waitTimeout.components.seconds * 1000),
            "IMAGE_REGISTRY_WEBHOOK_DISPATCH": String(settings.outbound.dispatchWebhooks),
            "IMAGE_REGISTRY_WEBHOOK_GROUP": settings.outbound.webhookGroup,
            "LOG_LEVEL": TestEnvironment.serviceLogLevel ?? "warning",
        ].merging(extra) { _, new in new }) { _, new in new }
        try process.run()
    }

    /// Runs an operator command of a service binary (such as
    /// `image-ingest gc`) to its end; returns its exit status and output.
    static func command(_ name: String, _ arguments: [String], settings: RegistrySettings) async throws
        -> (status: Int32, output: String)
    {
        let output = Pipe()
        let service = try ServiceProcess(name, settings: settings, arguments: arguments, output: output)
        // Read on a thread of its own: the output may not fit the pipe, and
        // the read blocks until the process ends.
        let data = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: output.fileHandleForReading.readDataToEndOfFile()) }
        }
        while service.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return (service.process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    var pid: Int32 { process.processIdentifier }

    var isRunning: Bool { process.isRunning }

    /// Ends the process at once, as a crash or an OOM kill would.
    func kill() {
        Foundation.kill(pid, SIGKILL)
        process.waitUntilExit()
    }

    /// Asks the process to stop and waits until it has.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
