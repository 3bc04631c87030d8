import Dispatch
import Kafka
import Logging
import Metrics
import ReadModel
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import ServiceLifecycle

/// Folds the event topic into the read model, exactly once in effect.
///
/// Each partition has a worker of its own (``PartitionWorker``) that applies
/// its records in one PostgreSQL transaction per batch, together with the
/// partition's new position; up to ``concurrentPartitions`` transactions run
/// at once. A partition that cannot make progress (its database writes fail,
/// or it has a large backlog) holds up no other: its records wait in its own
/// backlog, which pauses fetching it when it grows too large.
/// On assignment the consumer resumes from the stored positions, so a crash
/// at any point neither loses nor repeats an event. The consumer-group commit
/// that follows is only for visibility in Kafka tools.
public struct ProjectionService: Service {
    private let store: any ProjectionStore
    private let progress: ProjectionProgress
    private let makeReader: @Sendable (any PartitionAssignmentHandler) throws -> any EventLogReader
    private let prepare: @Sendable () async throws -> Void
    private let logger: Logger
    private let concurrentPartitions: Int
    private let reportsProjection: Bool

    /// - Parameters:
    ///   - concurrentPartitions: partition transactions at once
    ///     (``defaultConcurrentPartitions``).
    ///   - reportsProjection: whether batches are the projection's, for its
    ///     metrics and traces (off for the webhook dispatcher).
    ///   - prepare: runs before consuming starts (migrations, topic creation).
    ///   - makeReader: creates the log's reader with the given assignment handler.
    public init(
        store: any ProjectionStore, progress: ProjectionProgress = ProjectionProgress(), logger: Logger,
        concurrentPartitions: Int = ProjectionService.defaultConcurrentPartitions, reportsProjection: Bool = true,
        prepare: @escaping @Sendable () async throws -> Void = {},
        makeReader: @escaping @Sendable (any PartitionAssignmentHandler) throws -> any EventLogReader
    ) {
        self.store = store
        self.progress = progress
        self.logger = logger
        self.concurrentPartitions = concurrentPartitions
        self.reportsProjection = reportsProjection
        self.prepare = prepare
        self.makeReader = makeReader
    }

    /// Partition transactions running at the same time, each on its own
    /// connection: their events are independent (an owner's events share a
    /// partition), and overlapping the round trips and commits of several
    /// partitions is what makes a replay fast.
    public static let defaultConcurrentPartitions = 4

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await prepareUntilReady() }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return  // stopped before the database or broker ever came up
        }
        let reader = try makeReader(StoredPositionAssignment(store: store, progress: progress))
        let limit = ConcurrencyLimit(concurrentPartitions)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reader.run() }
            var backlogs: [Int32: PartitionBacklog] = [:]
            /// The partition's backlog, with a worker started for it on first use.
            func backlog(of partition: Int32) -> PartitionBacklog {
                if let backlog = backlogs[partition] { return backlog }
                let backlog = PartitionBacklog()
                backlogs[partition] = backlog
                let worker = self.worker(for: partition, backlog: backlog, limit: limit, reader: reader)
                group.addTask { await worker.run() }
                return backlog
            }
            for await batch in reader.batches {
                progress.received(batch)
                for (partition, records) in Dictionary(grouping: batch, by: \.position.partition) {
                    let pause = backlog(of: partition).append(records)
                    if pause { reader.pause([partition]) }
                }
            }
            for backlog in backlogs.values { backlog.finish() }
            try await group.waitForAll()
        }
    }

    private func worker(
        for partition: Int32, backlog: PartitionBacklog, limit: ConcurrencyLimit, reader: any EventLogReader
    ) -> PartitionWorker {
        let progress = self.progress
        return PartitionWorker(
            partition: partition, backlog: backlog, store: store, limit: limit, logger: logger,
            reportsProjection: reportsProjection,
            stored: { nextOffset in
                progress.applied([partition: nextOffset])
                reader.commit([partition: nextOffset])
            },
            resume: { reader.resume([partition]) })
    }

    /// Runs `prepare` until it succeeds: a database or broker that is not up
    /// yet pauses the projection instead of stopping the service.
    private func prepareUntilReady() async throws {
        try await Backoff.retrying("cannot prepare the projection yet", initial: .milliseconds(250), logger: logger) {
            do {
                try await prepare()
            } catch {
                progress.preparationFailed(error)
                throw error
            }
        }
    }
}

/// Starts each assigned partition at the position stored in the read model,
/// and one with none at offset 0: the log must still hold every record
/// the read model has not applied, from the very first.
struct StoredPositionAssignment: PartitionAssignmentHandler {
    let store: any ProjectionStore
    let progress: ProjectionProgress

    func partitionsAssigned(_ partitions: [Int32]) async throws -> [Int32: Int64] {
        let stored = try await store.storedPositions()
        let positions = Dictionary(uniqueKeysWithValues: partitions.map { ($0, stored[$0] ?? 0) })
        progress.assigned(partitions, at: positions)
        return positions
    }

    func positionOutOfRange(partition: Int32, offset: Int64, reason: String) {
        progress.logGap(partition: partition, from: offset, reason: reason)
    }

    func partitionsRevoked(_ partitions: [Int32]) async {
        // Nothing to hand over: positions are stored with every batch.
        progress.revoked(partitions)
    }
}

/// What the projection reports to Prometheus.
enum ProjectionMetrics {
    static func record(_ outcome: BatchOutcome, partition: Int32, batchSize: Int, since started: DispatchTime) {
        let dimensions = [("partition", String(partition))]
        Counter(label: "registry_events_applied_total").increment(by: outcome.applied)
        Counter(label: "registry_events_duplicate_total").increment(by: outcome.duplicates)
        Counter(label: "registry_dead_letters_total").increment(by: outcome.deadLettered)
        Recorder(label: "registry_projection_batch_size").record(batchSize)
        Timer(label: "registry_projection_batch_duration_seconds").recordInterval(since: started)
        Gauge(label: "registry_projection_next_offset", dimensions: dimensions).record(outcome.nextOffset)
    }
}
