import Crypto
import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Applies the ordered SQL files of `migrations/` that the database has not
/// seen yet, and records each one.
///
/// The whole run holds a PostgreSQL advisory lock, so any number of replicas
/// can start at once: one applies, the others wait and then find nothing to
/// do. A file whose content changed after it was applied stops the run.
public struct MigrationRunner: Sendable {
    /// The advisory lock key shared by every replica ("imgreg" in ASCII).
    static let lockKey: Int64 = 0x696D_6772_6567

    public let directory: URL
    /// The schema the migrations build; the client's connections must use it
    /// as their `search_path` (``DatabaseConfiguration/clientConfiguration(maximumConnections:schema:)``).
    public let schema: ReadModelSchema

    public init(directory: URL, schema: ReadModelSchema = .live) {
        self.directory = directory
        self.schema = schema
    }

    /// The migration files, ordered by name (`0001_…sql`, `0002_…sql`).
    public func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Applies pending migrations; returns the names of those it applied.
    @discardableResult
    public func run(on client: PostgresClient, logger: Logger) async throws -> [String] {
        let files = try files()
        guard !files.isEmpty else { throw ConfigurationError("no migrations found in \(directory.path)") }
        return try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await apply(files, on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    private func apply(_ files: [URL], on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema.identifier)"), logger: logger)
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var known: [String: String] = [:]
        for try await (name, checksum) in try await connection.query(
            "SELECT name, checksum FROM schema_migrations", logger: logger
        ).decode((String, String).self) {
            known[name] = checksum
        }
        var applied: [String] = []
        for file in files {
            let name = file.lastPathComponent
            let sql = try String(contentsOf: file, encoding: .utf8)
            let checksum = Hex.encode(SHA256.hash(data: Data(sql.utf8)))
            if let existing = known[name] {
                guard existing == checksum else {
                    throw ConfigurationError("migration \(name) changed after it was applied; add a new migration instead")
                }
                continue
            }
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in SQLScript.statements(in: sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (name, checksum) VALUES (\(name), \(checksum))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            logger.info("applied migration", metadata: ["migration": "\(name)"])
            applied.append(name)
        }
        return applied
    }
}
