import Logging
import Synchronization

/// Serves librdkafka's rebalance callback without ever blocking it.
///
/// The callback (``RDKafkaClient``) runs on the poll thread, inside
/// `rd_kafka_consumer_poll`. A revocation is applied there at once; an
/// assignment is only recorded: the partitions wait, unassigned, while
/// ``run()`` asks the ``PartitionAssignmentHandler`` where each resumes (on
/// the concurrency pool, retrying with backoff while the handler fails),
/// then assigns them at those offsets. librdkafka keeps the group membership
/// alive meanwhile and delivers nothing from partitions it has not been
/// told to assign. Only the newest assignment is ever applied: one that a
/// later rebalance overtook is dropped, and none is applied once stopping.
final class RebalanceBridge: Sendable {
    /// A rebalance's outcome, for ``run()`` to tell the handler in order.
    private enum Change: Sendable {
        case assigned(RDKafkaPartitionList, RebalancingClient, generation: UInt64)
        case revoked([Int32])
    }

    private let handler: any PartitionAssignmentHandler
    private let logger: Logger
    private let changes: AsyncStream<Change>
    private let continuation: AsyncStream<Change>.Continuation
    /// Counts rebalances, so an assignment that another overtook is dropped.
    private let generation = Atomic<UInt64>(0)
    private let stopped = Atomic<Bool>(false)

    init(handler: any PartitionAssignmentHandler, logger: Logger) {
        self.handler = handler
        self.logger = logger
        (changes, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// The group assigned `partitions`: recorded for ``run()``. Runs on the
    /// consumer's poll thread and returns at once.
    func assigned(_ partitions: RDKafkaPartitionList, client: RebalancingClient) {
        let current = generation.add(1, ordering: .acquiringAndReleasing).newValue
        guard !stopped.load(ordering: .acquiring) else { return }
        continuation.yield(.assigned(partitions, client, generation: current))
    }

    /// The group took `partitions` away; the client has already unassigned
    /// them, inside the callback. Runs on the poll thread and returns at once.
    func revoked(_ partitions: [Int32]) {
        _ = generation.add(1, ordering: .acquiringAndReleasing)
        logger.info("partitions revoked", metadata: ["partitions": "\(partitions)"])
        continuation.yield(.revoked(partitions))
    }

    /// Tells the handler of each change in order and makes the assignments,
    /// until ``stop()``.
    func run() async {
        for await change in changes {
            switch change {
            case .assigned(let partitions, let client, let generation):
                await assign(partitions, on: client, generation: generation)
            case .revoked(let numbers):
                await handler.partitionsRevoked(numbers)
            }
        }
    }

    /// Stops applying assignments and ends ``run()``.
    func stop() {
        stopped.store(true, ordering: .releasing)
        continuation.finish()
    }

    private func assign(_ partitions: RDKafkaPartitionList, on client: RebalancingClient, generation assigned: UInt64) async {
        guard let positions = await startPositions(for: partitions.numbers, generation: assigned) else { return }
        guard !stopped.load(ordering: .acquiring), generation.load(ordering: .acquiring) == assigned else {
            logger.info("a newer rebalance overtook this assignment", metadata: ["partitions": "\(partitions.numbers)"])
            return
        }
        partitions.setOffsets(positions)
        logger.info("partitions assigned", metadata: ["partitions": "\(partitions.numbers)", "positions": "\(positions)"])
        if let refusal = client.assign(partitions) {
            logger.error("could not assign partitions", metadata: ["partitions": "\(partitions.numbers)", "error": "\(refusal)"])
        }
    }

    /// Asks the handler until it answers, waiting twice as long after each
    /// failure (up to 5 s); `nil` once stopping or overtaken by a newer rebalance.
    private func startPositions(for partitions: [Int32], generation assigned: UInt64) async -> [Int32: Int64]? {
        var delay = Duration.milliseconds(100)
        while !stopped.load(ordering: .acquiring), generation.load(ordering: .acquiring) == assigned {
            do {
                return try await handler.partitionsAssigned(partitions)
            } catch {
                logger.error("could not load start positions; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
        return nil
    }
}
