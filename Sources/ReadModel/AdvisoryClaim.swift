import Logging
import PostgresNIO

/// A claim on one named thing (an import, an upload session) that one
/// holder at a time may have across every replica: a PostgreSQL session
/// advisory lock, held on a connection of its own while the work runs.
/// PostgreSQL ends it when that session ends, so a holder that dies frees
/// it at once.
enum AdvisoryClaim {
    /// Runs `work` while holding the claim on `key`; `nil` without running
    /// it when another holds it.
    static func run<Result: Sendable>(
        on key: String, client: PostgresClient, logger: Logger, _ work: @Sendable () async throws -> Result
    ) async throws -> Result? {
        try await client.withConnection { connection in
            let rows = try await connection.query(
                "SELECT pg_try_advisory_lock(hashtextextended(\(key), 0))", logger: logger)
            var claimed = false
            for try await granted in rows.decode(Bool.self) { claimed = granted }
            guard claimed else { return nil }
            // The unlock runs in a task of its own, so that a cancelled
            // holder (shutting down) still frees the claim on a connection
            // that goes back to the pool.
            let unlock = { @Sendable in
                _ = try? await Task {
                    try await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))", logger: logger)
                }.value
            }
            do {
                let result = try await work()
                await unlock()
                return result
            } catch {
                await unlock()
                throw error
            }
        }
    }
}
