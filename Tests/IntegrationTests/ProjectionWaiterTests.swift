import Hummingbird
import PostgresNIO
import ReadModel
import RegistryDomain
import RegistryHTTP
import Testing

/// Read-your-writes waits against a real read model.
@Suite("Projection waiter")
struct ProjectionWaiterTests {
    @Test("a reached position is remembered; a later one still waits and times out with 504")
    func remembersReachedPositions() async throws {
        let url = try await TestEnvironment.freshDatabase()
        try await withPostgres(url: url) { client in
            try await MigrationRunner(directory: TestEnvironment.migrationsDirectory).run(
                on: client, logger: TestEnvironment.logger)
            let queries = PostgresRegistryQueries(client: client, logger: TestEnvironment.logger)
            let waiter = ProjectionWaiter(queries: queries, timeout: .milliseconds(300))
            try await client.query(
                "INSERT INTO projection_positions (log_partition, next_offset) VALUES (2, 5)", logger: TestEnvironment.logger)
            try await waiter.waitUntilProjected(LogPosition(partition: 2, offset: 4))

            // Were the waiter to read the table again, it would now wait.
            try await client.query(
                "UPDATE projection_positions SET next_offset = 0 WHERE log_partition = 2", logger: TestEnvironment.logger)
            try await waiter.waitUntilProjected(LogPosition(partition: 2, offset: 4))
            try await waiter.waitUntilProjected(LogPosition(partition: 2, offset: 0))

            let error = await #expect(throws: APIError.self) {
                try await waiter.waitUntilProjected(LogPosition(partition: 2, offset: 5))
            }
            #expect(error?.status == .gatewayTimeout)
            await #expect(throws: APIError.self, "another partition is not covered by this one's position") {
                try await waiter.waitUntilProjected(LogPosition(partition: 3, offset: 0))
            }
        }
    }
}
