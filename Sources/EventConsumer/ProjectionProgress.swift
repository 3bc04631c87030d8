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

    /// A partition the log can no longer serve from the read model's position.
    private struct LogGap {
        let offset: Int64
        let reason: String
    }

    private struct State {
        var joined = false
        /// Why preparing (migrations, the topic) last failed, until joined.
        var preparationFailure: (any Error)?
        var partitions: [Int32: PartitionProgress] = [:]
        var gaps: [Int32: LogGap] = [:]
    }

    private let state = Mutex(State())

    /// Not joined, no partitions.
    /// Whether it reports the projection's gauges: off for consumers of the
    /// log other than the projection (the webhook dispatcher).
    private let reportsMetrics: Bool

    public init(reportsMetrics: Bool = true) {
        self.reportsMetrics = reportsMetrics
    }

    /// The group assigned `partitions`, resuming at `positions` (absent: 0).
    func assigned(_ partitions: [Int32], at positions: [Int32: Int64]) {
        state.withLock { state in
            state.joined = true
            state.preparationFailure = nil
            for partition in partitions {
                let position = positions[partition] ?? 0
                state.partitions[partition] = PartitionProgress(applied: position, received: position)
                state.gaps[partition] = nil
            }
        }
        for partition in partitions { report(partition: partition, lag: 0, gap: false) }
    }

    func revoked(_ partitions: [Int32]) {
        state.withLock { state in
            for partition in partitions {
                state.partitions[partition] = nil
                state.gaps[partition] = nil
            }
        }
        for partition in partitions { report(partition: partition, lag: 0, gap: false) }
    }

    /// Preparing the projection failed; ``checkReady(maximumLag:)`` says why
    /// when the failure is a ``NotReady``.
    func preparationFailed(_ error: any Error) {
        state.withLock { $0.preparationFailure = error }
    }

    /// `partition` cannot be read from `offset`, where the read model
    /// stands: the records from there on are gone from the log. The
    /// partition stays stopped (nothing is skipped) and the replica not
    /// ready until it is assigned again.
    func logGap(partition: Int32, from offset: Int64, reason: String) {
        state.withLock { $0.gaps[partition] = LogGap(offset: offset, reason: reason) }
        report(partition: partition, lag: nil, gap: true)
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
        let (joined, failure, lag, gaps) = state.withLock {
            ($0.joined, $0.preparationFailure, $0.partitions.mapValues(\.lag), $0.gaps)
        }
        if let (partition, gap) = gaps.min(by: { $0.key < $1.key }) {
            throw NotReady(
                "partition \(partition) is stopped: the log no longer holds offset \(gap.offset), the next record "
                    + "the read model needs (\(gap.reason)); records were deleted from the event log, so the read "
                    + "model cannot be completed from it: restore the log (docs/operations.md)")
        }
        guard joined else {
            if let failure { throw NotReady.preparing(after: failure) }
            throw NotReady("the projection has not joined its consumer group yet")
        }
        if let (partition, behind) = lag.max(by: { $0.value < $1.value }), behind > maximumLag {
            throw NotReady("partition \(partition) is \(behind) records behind (more than \(maximumLag))")
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let lag = state.withLock { state in
            change(&state)
            return state.partitions.mapValues(\.lag)
        }
        for (partition, behind) in lag { report(partition: partition, lag: behind, gap: nil) }
    }

    /// Sets `partition`'s gauges: its lag, and whether it is stopped at a
    /// gap in the log (`nil`: unchanged).
    private func report(partition: Int32, lag: Int64?, gap: Bool?) {
        guard reportsMetrics else { return }
        let dimensions = [("partition", String(partition))]
        if let lag { Gauge(label: "registry_projection_lag_records", dimensions: dimensions).record(lag) }
        if let gap { Gauge(label: "registry_projection_log_gap", dimensions: dimensions).record(gap ? 1 : 0) }
    }
}
