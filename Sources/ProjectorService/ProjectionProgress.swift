import Metrics
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import Synchronization

/// Where this process's projection stands: whether the consumer group has
/// given it its share of partitions yet, and for each partition it holds, how
/// far the read model is behind the records it has received.
///
/// The lag counts only records this process has fetched: the local broker
/// reports a wrong high watermark, so the end of the log is not asked for.
/// Across replicas, compare the ingest's `registry_produced_next_offset` with
/// `registry_projection_next_offset` (docs/operations.md).
public final class ProjectionProgress: Sendable {
    private struct PartitionProgress {
        /// The next offset the read model expects.
        var applied: Int64
        /// One past the highest offset received from the broker.
        var received: Int64
        var lag: Int64 { max(0, received - applied) }
    }

    private struct State {
        var joined = false
        var partitions: [Int32: PartitionProgress] = [:]
    }

    private let state = Mutex(State())

    /// Not joined, no partitions.
    public init() {}

    /// The group assigned `partitions`, resuming at `positions` (absent: 0).
    func assigned(_ partitions: [Int32], at positions: [Int32: Int64]) {
        state.withLock { state in
            state.joined = true
            for partition in partitions {
                let position = positions[partition] ?? 0
                state.partitions[partition] = PartitionProgress(applied: position, received: position)
            }
        }
        for partition in partitions { Self.reportLag(0, partition: partition) }
    }

    func revoked(_ partitions: [Int32]) {
        state.withLock { state in
            for partition in partitions { state.partitions[partition] = nil }
        }
        for partition in partitions { Self.reportLag(0, partition: partition) }
    }

    func received(_ batch: [LogRecord]) {
        update { state in
            for record in batch {
                let (partition, offset) = (record.position.partition, record.position.offset)
                guard let known = state.partitions[partition] else { continue }
                state.partitions[partition]!.received = max(known.received, offset + 1)
            }
        }
    }

    func applied(_ positions: [Int32: Int64]) {
        update { state in
            for (partition, next) in positions where state.partitions[partition] != nil {
                state.partitions[partition]!.applied = next
            }
        }
    }

    /// For each partition this process holds, how many received records the
    /// read model has not applied yet.
    public var lag: [Int32: Int64] {
        state.withLock { $0.partitions.mapValues(\.lag) }
    }

    /// Throws unless the consumer has joined its group and no partition is
    /// more than `maximumLag` records behind.
    public func checkReady(maximumLag: Int64) throws {
        let (joined, lag) = state.withLock { ($0.joined, $0.partitions.mapValues(\.lag)) }
        guard joined else { throw NotReady("the projection has not joined its consumer group yet") }
        if let (partition, behind) = lag.max(by: { $0.value < $1.value }), behind > maximumLag {
            throw NotReady("partition \(partition) is \(behind) records behind (more than \(maximumLag))")
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let lag = state.withLock { state in
            change(&state)
            return state.partitions.mapValues(\.lag)
        }
        for (partition, behind) in lag { Self.reportLag(behind, partition: partition) }
    }

    private static func reportLag(_ behind: Int64, partition: Int32) {
        Gauge(label: "registry_projection_lag_records", dimensions: [("partition", String(partition))]).record(behind)
    }
}
