import Logging
import PostgresNIO

/// Replaces the live read model with a rebuilt copy in one transaction.
///
/// Every projection transaction first takes a shared advisory lock
/// (``holdShared(on:logger:)``); the switch takes it exclusively, so it
/// happens between batches, never inside one. Statements parse table names
/// when they run, so once the renaming commits, every query and every later
/// batch uses the new copy; a query already running finishes on the old one.
public enum ReadModelSwitch {
    /// The advisory lock key ("rmswch" in ASCII).
    static let lockKey: Int64 = 0x726D_7377_6368

    /// Called first in each projection transaction: no switch can happen
    /// until the transaction ends.
    static func holdShared(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock_shared(\(lockKey))", logger: logger)
    }

    /// The partitions where `candidate` has not yet reached the live copy's
    /// position. Empty means it may replace the live copy.
    public static func partitionsBehind(_ candidate: ReadModelSchema, on connection: PostgresConnection, logger: Logger)
        async throws -> [Int32]
    {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT live.log_partition
                FROM \(ReadModelSchema.live.identifier).projection_positions live
                LEFT JOIN \(candidate.identifier).projection_positions built USING (log_partition)
                WHERE built.next_offset IS NULL OR built.next_offset < live.next_offset
                ORDER BY live.log_partition
                """), logger: logger)
        var behind: [Int32] = []
        for try await partition in rows.decode(Int32.self) { behind.append(partition) }
        return behind
    }

    /// Makes `candidate` the live read model and keeps the previous one as
    /// `retired`, if `candidate` has reached the live position in every
    /// partition; otherwise changes nothing and returns the partitions it
    /// still lacks.
    public static func promote(
        _ candidate: ReadModelSchema, retiring retired: ReadModelSchema, client: PostgresClient, logger: Logger
    ) async throws -> [Int32] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            let behind = try await partitionsBehind(candidate, on: connection, logger: logger)
            guard behind.isEmpty else { return behind }
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER SCHEMA \(ReadModelSchema.live.identifier) RENAME TO \(retired.identifier)"),
                logger: logger)
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER SCHEMA \(candidate.identifier) RENAME TO \(ReadModelSchema.live.identifier)"),
                logger: logger)
            try await ReadModelChanges.notify(on: connection, logger: logger)
            return []
        }
    }
}
