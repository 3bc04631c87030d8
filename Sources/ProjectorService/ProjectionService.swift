import Dispatch
import Kafka
import Logging
import Metrics
import ReadModel
import RegistryDomain
import RegistryHTTP
import ServiceLifecycle

/// Folds the event topic into the read model, exactly once in effect.
///
/// Each batch is split by partition; each partition's records are applied in
/// one PostgreSQL transaction together with that partition's new position,
/// several partitions at once.
/// On assignment the consumer resumes from the stored positions, so a crash
/// at any point neither loses nor repeats an event. The consumer-group commit
/// that follows is only for visibility in Kafka tools.
public struct ProjectionService: Service {
    private let store: any ProjectionStore
    private let progress: ProjectionProgress
    private let makeConsumer: @Sendable (any PartitionAssignmentHandler) throws -> KafkaConsumer
    private let prepare: @Sendable () async throws -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - prepare: runs before consuming starts (migrations, topic creation).
    ///   - makeConsumer: creates the group consumer with the given assignment handler.
    public init(
        store: any ProjectionStore, progress: ProjectionProgress = ProjectionProgress(), logger: Logger,
        prepare: @escaping @Sendable () async throws -> Void,
        makeConsumer: @escaping @Sendable (any PartitionAssignmentHandler) throws -> KafkaConsumer
    ) {
        self.store = store
        self.progress = progress
        self.logger = logger
        self.prepare = prepare
        self.makeConsumer = makeConsumer
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await prepareUntilReady() }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return  // stopped before the database or broker ever came up
        }
        let consumer = try makeConsumer(StoredPositionAssignment(store: store, progress: progress))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            for await batch in consumer.batches {
                progress.received(batch)
                let positions = try await applyUntilStored(batch)
                progress.applied(positions)
                consumer.commit(positions)
            }
            try await group.waitForAll()
        }
    }

    /// Runs `prepare` until it succeeds: a database or broker that is not up
    /// yet pauses the projection instead of stopping the service.
    private func prepareUntilReady() async throws {
        try await Backoff.retrying("cannot prepare the projection yet", initial: .milliseconds(250), logger: logger) {
            try await prepare()
        }
    }

    /// Partitions applied at the same time, each in its own transaction on
    /// its own connection: their events are independent (an owner's events
    /// share a partition), and overlapping the round trips and commits of
    /// several partitions is what makes a replay fast.
    static let concurrentPartitions = 4

    /// Applies a batch, several partitions at once, retrying while the
    /// database is unreachable. Returns the next offset of each partition.
    private func applyUntilStored(_ batch: [KafkaMessage]) async throws -> [Int32: Int64] {
        var pending = Dictionary(grouping: batch, by: \.partition).makeIterator()
        return try await withThrowingTaskGroup(of: (Int32, Int64).self) { group in
            func startNext() -> Bool {
                guard let (partition, messages) = pending.next() else { return false }
                group.addTask { (partition, try await applyUntilStored(messages, partition: partition)) }
                return true
            }
            for _ in 0..<Self.concurrentPartitions where !startNext() { break }
            var positions: [Int32: Int64] = [:]
            while let (partition, nextOffset) = try await group.next() {
                positions[partition] = nextOffset
                _ = startNext()
            }
            return positions
        }
    }

    /// Applies one partition's records of a batch in one transaction; returns
    /// the partition's next offset.
    private func applyUntilStored(_ messages: [KafkaMessage], partition: Int32) async throws -> Int64 {
        let records = messages.sorted { $0.offset < $1.offset }.map { message in
            LogRecord(
                position: LogPosition(partition: message.partition, offset: message.offset),
                encoded: EncodedEvent(
                    key: message.key,
                    headers: message.headers.map { EncodedEvent.Header(name: $0.name, value: $0.value) },
                    value: message.value))
        }
        let started = DispatchTime.now()
        let outcome = try await Backoff.retrying(
            "could not apply batch", logger: logger, metadata: ["partition": "\(partition)"]
        ) {
            try await store.apply(records, partition: partition)
        }
        ProjectionMetrics.record(outcome, partition: partition, batchSize: records.count, since: started)
        logger.debug("batch applied", metadata: [
            "partition": "\(partition)", "applied": "\(outcome.applied)",
            "duplicates": "\(outcome.duplicates)", "dead_lettered": "\(outcome.deadLettered)",
            "next_offset": "\(outcome.nextOffset)",
        ])
        return outcome.nextOffset
    }
}

/// Starts each assigned partition at the position stored in the read model.
struct StoredPositionAssignment: PartitionAssignmentHandler {
    let store: any ProjectionStore
    let progress: ProjectionProgress

    func partitionsAssigned(_ partitions: [Int32]) async throws -> [Int32: Int64] {
        let positions = try await store.storedPositions().filter { partitions.contains($0.key) }
        progress.assigned(partitions, at: positions)
        return positions
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
