import Foundation
import Hummingbird
import HummingbirdTesting
import IngestService
import ProjectorService
import RegistryHTTP

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

    /// Runs `body` with clients of two live ingest replicas and a live
    /// projector, all on the same database and topic.
    func runTwoIngests(
        _ body: @escaping @Sendable (_ first: any TestClientProtocol, _ second: any TestClientProtocol,
                                     _ projector: any TestClientProtocol) async throws -> Void
    ) async throws {
        let logger = TestEnvironment.logger
        let second = try await buildIngestApplication(settings: settings, logger: logger)
        try await run { first, projector in
            try await second.test(.live) { secondClient in
                try await body(first, secondClient, projector)
            }
        }
    }

    /// Runs `body` with clients of a live ingest and a live projector.
    func run(_ body: @escaping @Sendable (_ ingest: any TestClientProtocol, _ projector: any TestClientProtocol) async throws -> Void)
        async throws
    {
        let logger = TestEnvironment.logger
        let ingestApp = try await buildIngestApplication(settings: settings, logger: logger)
        let projectorApp = try await buildProjectorApplication(settings: settings, logger: logger)
        try await ingestApp.test(.live) { ingest in
            try await projectorApp.test(.live) { projector in
                try await body(ingest, projector)
            }
        }
    }
}
