import Foundation
import PostgresNIO
import ReadModel
import RegistryRuntime
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("replicas starting at once apply each migration exactly once")
    func concurrentRunners() async throws {
        let url = try await TestEnvironment.freshDatabase()
        let runner = MigrationRunner(directory: TestEnvironment.migrationsDirectory)
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await withPostgres(url: url) { client in
                        try await runner.run(on: client, logger: TestEnvironment.logger)
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let files = try runner.files().map(\.lastPathComponent)
        #expect(applied.sorted() == files.sorted(), "each file applied by exactly one runner")
        let recorded = try await withPostgres(url: url) { client in
            var names: [String] = []
            for try await name in try await client.query("SELECT name FROM schema_migrations ORDER BY name")
                .decode(String.self) { names.append(name) }
            return names
        }
        #expect(recorded == files)
    }

    @Test("a migration edited after it was applied stops the start")
    func editedMigration() async throws {
        let url = try await TestEnvironment.freshDatabase()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("0001_example.sql")
        try "CREATE TABLE example (x int);".write(to: file, atomically: true, encoding: .utf8)
        try await withPostgres(url: url) { client in
            try await MigrationRunner(directory: directory).run(on: client, logger: TestEnvironment.logger)
            try "CREATE TABLE example (x bigint);".write(to: file, atomically: true, encoding: .utf8)
            await #expect(throws: ConfigurationError.self) {
                try await MigrationRunner(directory: directory).run(on: client, logger: TestEnvironment.logger)
            }
        }
    }
}
