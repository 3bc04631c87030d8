import CRdKafka
import Logging
import Synchronization

/// Serves librdkafka's rebalance callback without ever blocking it.
///
/// The callback runs on the poll thread, inside `rd_kafka_consumer_poll`. A
/// revocation is applied there at once (`rd_kafka_assign(NULL)`); an
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
        case assigned(PartitionList, generation: UInt64)
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

    /// Runs on the consumer's poll thread; returns at once.
    func rebalance(
        client: OpaquePointer, error: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let current = generation.add(1, ordering: .acquiringAndReleasing).newValue
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            guard let partitions, !stopped.load(ordering: .acquiring) else { return }
            continuation.yield(.assigned(PartitionList(copying: partitions, client: client), generation: current))
        default:
            rd_kafka_assign(client, nil)
            let numbers = partitions.map { PartitionList.numbers(of: $0) } ?? []
            logger.info("partitions revoked", metadata: ["partitions": "\(numbers)"])
            continuation.yield(.revoked(numbers))
        }
    }

    /// Tells the handler of each change in order and makes the assignments,
    /// until ``stop()``.
    func run() async {
        for await change in changes {
            switch change {
            case .assigned(let partitions, let generation):
                await assign(partitions, generation: generation)
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

    private func assign(_ partitions: PartitionList, generation assigned: UInt64) async {
        guard let positions = await startPositions(for: partitions.numbers, generation: assigned) else { return }
        guard !stopped.load(ordering: .acquiring), generation.load(ordering: .acquiring) == assigned else {
            logger.info("a newer rebalance overtook this assignment", metadata: ["partitions": "\(partitions.numbers)"])
            return
        }
        partitions.setOffsets(positions)
        logger.info("partitions assigned", metadata: ["partitions": "\(partitions.numbers)", "positions": "\(positions)"])
        partitions.assign()
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

/// A copy of a partition list from a rebalance, with the client it is for.
private final class PartitionList: @unchecked Sendable {
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    private let client: OpaquePointer

    init(copying list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, client: OpaquePointer) {
        self.list = rd_kafka_topic_partition_list_copy(list)
        self.client = client
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(list)
    }

    var numbers: [Int32] { Self.numbers(of: list) }

    static func numbers(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [Int32] {
        (0..<Int(list.pointee.cnt)).map { list.pointee.elems[$0].partition }
    }

    /// Starts each partition at its position; one left out starts at the earliest record.
    func setOffsets(_ positions: [Int32: Int64]) {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems.advanced(by: index)
            element.pointee.offset = positions[element.pointee.partition] ?? Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
    }

    /// `rd_kafka_assign`, which librdkafka allows from any thread.
    func assign() {
        rd_kafka_assign(client, list)
    }
}
