import EventConsumer
import Logging
import PostgresNIO
import ProjectorService
import ReadModel
import RegistryHTTP
import RegistryRuntime
import ServiceLifecycle

/// A projection (consumer plus PostgreSQL writer) running in this process,
/// without its HTTP server, that a test can stop mid-stream.
final class ProjectorRunner: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(settings: RegistrySettings) throws {
        let logger = TestEnvironment.logger
        let postgres = PostgresClient(
            configuration: try DatabaseConfiguration(url: settings.databaseURL).clientConfiguration(),
            backgroundLogger: logger)
        let projection = ProjectionService.live(settings: settings, postgres: postgres, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [postgres, projection], logger: logger))
        self.group = group
        self.task = Task { try await group.run() }
    }

    /// Stops gracefully, as on SIGTERM, and waits until it has stopped.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
