import EventConsumer
import Kafka
import ProjectorService
import RegistryDomain
import Synchronization

/// ``EventLogReader`` over an ``InMemoryEventLog``, as one member of a
/// consumer group that holds every partition: ``run()`` asks the assignment
/// handler where each partition resumes, then ``batches`` delivers the
/// records from there, and each record appended later, until the reader
/// stops or its consumer is cancelled. Paused partitions deliver nothing
/// until resumed. A partition whose next record is before the log's start
/// (``InMemoryEventLog/logStart``) is reported to the handler and delivers
/// nothing more, as the Kafka consumer does.
public final class InMemoryLogReader: EventLogReader {
    private struct State {
        /// The next offset to deliver, by partition; empty until assigned.
        var next: [Int32: Int64] = [:]
        var paused: Set<Int32> = []
        var committed: [Int32: Int64] = [:]
        var stopped = false
    }

    private let log: InMemoryEventLog
    private let assignment: any PartitionAssignmentHandler
    private let state = Mutex(State())

    public init(log: InMemoryEventLog, assignment: any PartitionAssignmentHandler) {
        self.log = log
        self.assignment = assignment
    }

    /// What the projection last committed, by partition.
    public var committed: [Int32: Int64] { state.withLock { $0.committed } }

    /// Whether `partition` is paused.
    public func isPaused(_ partition: Int32) -> Bool { state.withLock { $0.paused.contains(partition) } }

    public var batches: LogRecordBatches {
        LogRecordBatches { [self] in
            while true {
                let logStart = log.logStart
                let (batch, gaps, stopped) = state.withLock { state -> ([LogRecord], [Int32: Int64], Bool) in
                    let gaps = state.next.filter { $0.value < logStart }
                    for partition in gaps.keys { state.next[partition] = nil }
                    let batch = log.records.filter { record in
                        let partition = record.position.partition
                        guard let next = state.next[partition], !state.paused.contains(partition) else { return false }
                        return record.position.offset >= next
                    }
                    for record in batch { state.next[record.position.partition] = record.position.offset + 1 }
                    return (batch, gaps, state.stopped)
                }
                for (partition, offset) in gaps {
                    assignment.positionOutOfRange(
                        partition: partition, offset: offset, reason: "the log starts at offset \(logStart)")
                }
                if !batch.isEmpty { return batch }
                // A cancelled sleep returns at once: without this check a
                // cancelled reader would spin and starve the thread pool.
                if stopped || Task.isCancelled { return nil }
                try? await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// Assigns every partition the log has (at least partition 0) at the
    /// handler's positions, then waits until cancelled.
    public func run() async throws {
        let partitions = Array(Set(log.records.map(\.position.partition)).union([0])).sorted()
        let positions = try await assignment.partitionsAssigned(partitions)
        state.withLock { state in
            for partition in partitions { state.next[partition] = positions[partition] ?? 0 }
        }
        defer { state.withLock { $0.stopped = true } }
        do {
            while true { try await Task.sleep(for: .seconds(3600)) }
        } catch {
            await assignment.partitionsRevoked(partitions)
        }
    }

    public func pause(_ partitions: [Int32]) {
        state.withLock { $0.paused.formUnion(partitions) }
    }

    public func resume(_ partitions: [Int32]) {
        state.withLock { $0.paused.subtract(partitions) }
    }

    public func commit(_ nextOffsets: [Int32: Int64]) {
        state.withLock { $0.committed.merge(nextOffsets) { $1 } }
    }
}
