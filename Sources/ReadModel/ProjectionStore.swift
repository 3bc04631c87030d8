import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// What one batch did to the read model.
public struct BatchOutcome: Sendable, Equatable {
    public var applied = 0
    /// Events whose id was applied before (a retry stored at another offset).
    public var duplicates = 0
    /// Records at or before the stored position, already applied earlier.
    public var skipped = 0
    public var deadLettered = 0
    /// The next offset to read in this partition after the batch.
    public var nextOffset: Int64 = 0
}

/// Where the projection writes: folds batches of one partition into the
/// read model and keeps the partition's position with them.
public protocol ProjectionStore: Sendable {
    /// Applies `records` (all from `partition`, in offset order) in one
    /// transaction together with the partition's new position. Records below
    /// the stored position and event ids seen before change nothing.
    func apply(_ records: [LogRecord], partition: Int32) async throws -> BatchOutcome

    /// The next offset to read for each partition the projection has seen.
    func storedPositions() async throws -> [Int32: Int64]
}

/// ``ProjectionStore`` in PostgreSQL.
public struct PostgresProjectionStore: ProjectionStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func apply(_ records: [LogRecord], partition: Int32) async throws -> BatchOutcome {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            try await ReadModelSwitch.holdShared(on: connection, logger: logger)
            var outcome = BatchOutcome()
            var nextOffset = try await lockPosition(partition: partition, on: connection)
            var decoded: [EventApplier.Entry] = []
            for record in records {
                guard record.position.offset >= nextOffset else {
                    outcome.skipped += 1
                    continue
                }
                nextOffset = record.position.offset + 1
                do {
                    decoded.append(EventApplier.Entry(
                        position: record.position, envelope: try CloudEventsCodec.decode(record.encoded),
                        data: record.encoded.value))
                } catch let poison as PoisonEventError {
                    try await DeadLetters.record(record, reason: poison.description, on: connection, logger: logger)
                    outcome.deadLettered += 1
                }
            }
            outcome.applied = try await EventApplier.apply(decoded, on: connection, logger: logger)
            outcome.duplicates = decoded.count - outcome.applied
            try await connection.query(
                """
                UPDATE projection_positions SET next_offset = \(nextOffset), updated_at = now()
                WHERE log_partition = \(partition)
                """, logger: logger)
            if outcome.applied > 0 { try await ReadModelChanges.notify(on: connection, logger: logger) }
            outcome.nextOffset = nextOffset
            return outcome
        }
    }

    /// Locks the partition's position row for this transaction, so two
    /// projectors never apply the same partition at once, and returns it.
    private func lockPosition(partition: Int32, on connection: PostgresConnection) async throws -> Int64 {
        try await connection.query(
            """
            INSERT INTO projection_positions (log_partition, next_offset) VALUES (\(partition), 0)
            ON CONFLICT (log_partition) DO NOTHING
            """, logger: logger)
        let rows = try await connection.query(
            "SELECT next_offset FROM projection_positions WHERE log_partition = \(partition) FOR UPDATE",
            logger: logger)
        for try await offset in rows.decode(Int64.self) {
            return offset
        }
        return 0
    }

    public func storedPositions() async throws -> [Int32: Int64] {
        var positions: [Int32: Int64] = [:]
        let rows = try await client.query("SELECT log_partition, next_offset FROM projection_positions", logger: logger)
        for try await (partition, offset) in rows.decode((Int32, Int64).self) {
            positions[partition] = offset
        }
        return positions
    }
}

/// Keeps records the projection cannot apply, with their bytes and the reason.
enum DeadLetters {
    static func record(_ record: LogRecord, reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        let headers = try JSONEncoder().encode(
            Dictionary(record.encoded.headers.map { ($0.name, String(decoding: $0.value, as: UTF8.self)) },
                       uniquingKeysWith: { first, _ in first }))
        try await connection.query(
            """
            INSERT INTO dead_letters (log_partition, log_offset, record_key, headers, record_value, reason)
            VALUES (\(record.position.partition), \(record.position.offset), \(Data(record.encoded.key)),
                    \(String(decoding: headers, as: UTF8.self))::jsonb, \(Data(record.encoded.value)), \(reason))
            ON CONFLICT DO NOTHING
            """, logger: logger)
        logger.warning(
            "dead-lettered record", metadata: ["position": "\(record.position)", "reason": "\(reason)"])
    }
}
