import Logging
import ServiceLifecycle

/// A group consumer of one topic with manual offsets.
///
/// - Offsets are never committed automatically: the owner of the data decides
///   where each partition resumes. On every assignment the consumer asks
///   ``PartitionAssignmentHandler`` for the positions to start from and
///   assigns the partitions at exactly those offsets, without blocking the
///   poll thread while it waits for the answer (``RebalanceBridge``).
/// - Messages arrive in ``batches``, in order within each partition.
/// - ``run()`` polls on a dedicated thread until shutdown, then closes the
///   consumer (leaving the group cleanly).
public final class KafkaConsumer: Service, Sendable {
    private let client: RDKafkaClient
    private let rebalance: RebalanceBridge
    private let handler: any PartitionAssignmentHandler
    private let channel: MessageBatchChannel
    private let stopSignal = StopSignal()
    private let topic: String
    private let maximumBatchSize: Int
    private let logger: Logger

    /// The batches read from the topic.
    public var batches: KafkaMessageBatches { KafkaMessageBatches(channel: channel) }

    /// - Parameter maximumBatchSize: the most records in one batch. A batch
    ///   holds what has arrived by the time the first record does, so it is
    ///   small when the consumer keeps up and large while it catches up,
    ///   which is when large batches pay.
    public init(
        configuration: KafkaConsumerConfiguration, topic: String,
        assignmentHandler: any PartitionAssignmentHandler, maximumBatchSize: Int = 5000, logger: Logger
    ) throws {
        let rebalance = RebalanceBridge(handler: assignmentHandler, logger: logger)
        let client = try RDKafkaClient(.consumer, properties: configuration.properties, callbacks: .rebalance(rebalance))
        try client.subscribe(to: topic)
        self.client = client
        self.rebalance = rebalance
        self.handler = assignmentHandler
        self.channel = MessageBatchChannel(capacity: 4)
        self.topic = topic
        self.maximumBatchSize = maximumBatchSize
        self.logger = logger
    }

    /// Records the positions processed so far in the consumer group, for
    /// tools that show group lag. It does not decide where partitions resume.
    /// - Parameter nextOffsets: for each partition, the next offset to read.
    public func commit(_ nextOffsets: [Int32: Int64]) {
        guard !nextOffsets.isEmpty else { return }
        if let refusal = client.commit(nextOffsets, topic: topic) {
            logger.debug("offset commit not sent", metadata: ["error": "\(refusal)"])
        }
    }

    /// Stops fetching `partitions` until ``resume(_:)``, so that records of a
    /// partition whose consumer has fallen behind do not pile up in memory.
    /// Fetching resumes after the last record delivered.
    public func pause(_ partitions: [Int32]) {
        setPaused(true, partitions)
    }

    /// Fetches `partitions` again after ``pause(_:)``.
    public func resume(_ partitions: [Int32]) {
        setPaused(false, partitions)
    }

    private func setPaused(_ paused: Bool, _ partitions: [Int32]) {
        guard !partitions.isEmpty, let refusal = client.setPaused(paused, partitions: partitions, topic: topic) else {
            return
        }
        logger.warning("could not \(paused ? "pause" : "resume") partitions", metadata: [
            "partitions": "\(partitions)", "error": "\(refusal)",
        ])
    }

    /// Polls until shutdown, then leaves the group and ends ``batches``.
    /// Assignments are made alongside, as their start positions arrive
    /// (``RebalanceBridge``), so polling never waits for them.
    public func run() async throws {
        let client = self.client
        let channel = self.channel
        let stopSignal = self.stopSignal
        let rebalance = self.rebalance
        let handler = self.handler
        let maximumBatchSize = self.maximumBatchSize
        let logger = self.logger
        let stop: @Sendable () -> Void = {
            stopSignal.stop()
            rebalance.stop()
            channel.finish()
        }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await rebalance.run() }
                    await DedicatedThread.run(name: "kafka-consumer-poll") {
                        Self.pollLoop(client: client, channel: channel, handler: handler, stopSignal: stopSignal,
                                      maximumBatchSize: maximumBatchSize, logger: logger)
                        channel.finish()
                        client.closeConsumer()
                    }
                    rebalance.stop()
                }
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
        logger.info("consumer stopped")
    }

    private static func pollLoop(
        client: RDKafkaClient, channel: MessageBatchChannel, handler: any PartitionAssignmentHandler,
        stopSignal: StopSignal, maximumBatchSize: Int, logger: Logger
    ) {
        while !stopSignal.isStopped {
            var batch: [KafkaMessage] = []
            var timeout: Int32 = 100
            polling: while batch.count < maximumBatchSize {
                switch client.consumerPoll(milliseconds: timeout) {
                case .message(let message):
                    batch.append(message)
                    timeout = 0
                case .error(let reason):
                    logger.warning("consumer error", metadata: ["error": "\(reason)"])
                    timeout = 0
                case .outOfRange(let partition, let offset, let reason):
                    logger.error("partition cannot be read from its position; it is stopped", metadata: [
                        "partition": "\(partition)", "offset": "\(offset)", "error": "\(reason)",
                    ])
                    handler.positionOutOfRange(partition: partition, offset: offset, reason: reason)
                    timeout = 0
                case .nothing:
                    break polling
                }
            }
            if !batch.isEmpty {
                channel.send(batch)
            }
        }
    }
}
