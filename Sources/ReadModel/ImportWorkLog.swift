import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// What the import workers read from the read model and keep of their own
/// (`registry_imports.progress`), and how one of them claims an import.
public protocol ImportWorkLog: Sendable {
    /// The oldest `limit` imports the fold has queued and none has ended.
    func queuedImports(limit: Int) async throws -> [ImportRecord]

    /// Import `id` as the read model has it now.
    func current(_ id: UUID) async throws -> ImportRecord?

    /// Runs `work` while holding import `id`'s claim, which no other worker
    /// can hold at the same time and which ends when `work` returns or the
    /// worker dies; `nil` without running `work` when another holds it.
    func withClaim<Result: Sendable>(
        on id: UUID, _ work: @Sendable () async throws -> Result
    ) async throws -> Result?

    /// Records what the worker knows of import `id`'s download now.
    func record(_ progress: ImportProgress, of id: UUID, worker: String) async throws
}

/// ``ImportWorkLog`` in PostgreSQL. A claim is a session advisory lock,
/// held on a connection of its own for the whole download: PostgreSQL ends
/// it when that session ends, so a worker killed mid-download frees its
/// import at once, for another worker to resume.
public struct PostgresImportWorkLog: ImportWorkLog {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func queuedImports(limit: Int) async throws -> [ImportRecord] {
        try await PostgresRegistryQueries.importRecords(client.query("""
            SELECT \(unescaped: PostgresRegistryQueries.importColumns)
            FROM \(unescaped: PostgresRegistryQueries.importTables)
            WHERE i.status = 'queued' ORDER BY i.requested_at, i.id LIMIT \(limit)
            """, logger: logger))
    }

    public func current(_ id: UUID) async throws -> ImportRecord? {
        try await PostgresRegistryQueries.importRecords(client.query("""
            SELECT \(unescaped: PostgresRegistryQueries.importColumns)
            FROM \(unescaped: PostgresRegistryQueries.importTables) WHERE i.id = \(id)
            """, logger: logger)).first
    }

    public func withClaim<Result: Sendable>(
        on id: UUID, _ work: @Sendable () async throws -> Result
    ) async throws -> Result? {
        try await AdvisoryClaim.run(on: "import:\(id.uuidString.lowercased())", client: client, logger: logger, work)
    }

    public func record(_ progress: ImportProgress, of id: UUID, worker: String) async throws {
        try await client.query("""
            INSERT INTO registry_imports.progress
                (import_id, state, bytes, total_bytes, durable_bytes, validator, attempts, last_error, worker, updated_at)
            VALUES (\(id), \(progress.state.rawValue), \(progress.bytes), \(progress.totalBytes),
                    \(progress.durableBytes), \(progress.validator), \(Int32(progress.attempts)), \(progress.lastError),
                    \(worker), now())
            ON CONFLICT (import_id) DO UPDATE SET
                state = EXCLUDED.state, bytes = EXCLUDED.bytes, total_bytes = EXCLUDED.total_bytes,
                durable_bytes = EXCLUDED.durable_bytes, validator = EXCLUDED.validator, attempts = EXCLUDED.attempts,
                last_error = EXCLUDED.last_error, worker = EXCLUDED.worker, updated_at = now()
            """, logger: logger)
    }
}
