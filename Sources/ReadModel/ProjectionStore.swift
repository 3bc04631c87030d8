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

    public init(applied: Int = 0, duplicates: Int = 0, skipped: Int = 0, deadLettered: Int = 0, nextOffset: Int64 = 0) {
        self.applied = applied
        self.duplicates = duplicates
        self.skipped = skipped
        self.deadLettered = deadLettered
        self.nextOffset = nextOffset
    }
}

/// What a failed projection transaction means for the records it held.
public enum ProjectionFailure: Sendable, Equatable {
    /// The database could not be reached or asked to try again: the same
    /// records may well succeed later.
    case transient
    /// The database refused the records themselves, and will again; the
    /// reason says why.
    case deterministic(reason: String)
}

/// Where the projection writes: folds batches of one partition into the
/// read model and keeps the partition's position with them.
public protocol ProjectionStore: Sendable {
    /// Applies `records` (all from `partition`, in offset order) in one
    /// transaction together with the partition's new position. Records below
    /// the stored position and event ids seen before change nothing.
    func apply(_ records: [LogRecord], partition: Int32) async throws -> BatchOutcome

    /// Stores `record` as a dead letter with `reason` and moves its
    /// partition's position past it, in one transaction.
    func deadLetter(_ record: LogRecord, reason: String) async throws -> BatchOutcome

    /// Whether an error thrown by ``apply(_:partition:)`` is worth retrying.
    func failure(of error: any Error) -> ProjectionFailure

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
            let (applied, conflicting) = try await EventApplier.apply(decoded, on: connection, logger: logger)
            let byPosition = Dictionary(records.map { ($0.position, $0) }, uniquingKeysWith: { first, _ in first })
            for (entry, reason) in conflicting {
                guard let record = byPosition[entry.position] else { continue }
                try await DeadLetters.record(record, reason: reason, on: connection, logger: logger)
            }
            outcome.applied = applied
            outcome.deadLettered += conflicting.count
            outcome.duplicates = decoded.count - applied - conflicting.count
            try await store(nextOffset, partition: partition, on: connection)
            if outcome.applied > 0 { try await ReadModelChanges.notify(on: connection, logger: logger) }
            outcome.nextOffset = nextOffset
            return outcome
        }
    }

    public func deadLetter(_ record: LogRecord, reason: String) async throws -> BatchOutcome {
        let logger = self.logger
        let partition = record.position.partition
        return try await client.withTransaction(logger: logger) { connection in
            try await ReadModelSwitch.holdShared(on: connection, logger: logger)
            let stored = try await lockPosition(partition: partition, on: connection)
            guard record.position.offset >= stored else { return BatchOutcome(skipped: 1, nextOffset: stored) }
            try await DeadLetters.record(record, reason: reason, on: connection, logger: logger)
            try await store(record.position.offset + 1, partition: partition, on: connection)
            return BatchOutcome(deadLettered: 1, nextOffset: record.position.offset + 1)
        }
    }

    public func failure(of error: any Error) -> ProjectionFailure {
        PostgresFailure.classify(error)
    }

    private func store(_ nextOffset: Int64, partition: Int32, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE projection_positions SET next_offset = \(nextOffset), updated_at = now()
            WHERE log_partition = \(partition)
            """, logger: logger)
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
