import Foundation
import Hummingbird
import HummingbirdTesting
import IngestService
import ProjectorService
import RegistryHTTP
import RegistryRuntime
import RegistryTesting

/// Both services running for real on loopback, on a fresh database and topic.
struct RegistryServices {
    let settings: RegistrySettings

    /// Services on a fresh database and topic, with their own blob store;
    /// `configure` adjusts the settings before they start.
    static func fresh(partitions: Int32 = 4, configure: (inout RegistrySettings) -> Void = { _ in }) async throws
        -> RegistryServices
    {
        let database = try await TestEnvironment.freshDatabase()
        let topic = try await TestEnvironment.freshTopic(partitions: partitions)
        var settings = try TestEnvironment.settings(databaseURL: database, topic: topic, partitions: partitions)
        settings.blobDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("registry-blobs-\(UUID().uuidString)").path
        configure(&settings)
        return RegistryServices(settings: settings)
    }

    /// Runs `body` with clients of two `image-ingest` processes and a live
    /// projector, all on the same database and topic.
    func runTwoIngestProcesses(
        _ body: @escaping @Sendable (_ first: CurlClient, _ second: CurlClient, _ projector: any TestClientProtocol)
            async throws -> Void
    ) async throws {
        let processes = try (0..<2).map { _ in try ServiceProcess("image-ingest", settings: settings) }
        defer { processes.forEach { $0.stop() } }
        let clients = processes.map { CurlClient(port: $0.port) }
        for (client, process) in zip(clients, processes) {
            try await client.waitUntilReady(process)
        }
        let projectorApp = try await buildProjectorApplication(settings: settings, logger: TestEnvironment.logger)
        try await projectorApp.test(.live) { projector in
            try await body(clients[0], clients[1], projector)
        }
    }

    /// Runs `body` with clients of a live ingest and a live projector; returns what it returns.
    @discardableResult
    func run<Value: Sendable>(
        _ body: @escaping @Sendable (_ ingest: any TestClientProtocol, _ projector: any TestClientProtocol)
            async throws -> Value
    ) async throws -> Value {
        let logger = TestEnvironment.logger
        let ingestApp = try await buildIngestApplication(settings: settings, logger: logger)
        let projectorApp = try await buildProjectorApplication(settings: settings, logger: logger)
        return try await ingestApp.test(.live) { ingest in
            try await projectorApp.test(.live) { projector in
                // As a load balancer would: commands only once the ingest is ready.
                try await TestEnvironment.eventually(timeout: .seconds(60), "the ingest is ready") {
                    try await ingest.call(.get, "/readyz").status == .ok
                }
                return try await body(ingest, projector)
            }
        }
    }
}
