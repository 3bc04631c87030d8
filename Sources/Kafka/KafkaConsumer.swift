import CRdKafka
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
    private let handle: KafkaHandle
    private let rebalance: RebalanceBridge
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
        let conf = try configuration.native.make()
        let rebalance = RebalanceBridge(handler: assignmentHandler, logger: logger)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(rebalance).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf) { client, error, partitions, opaque in
            guard let client, let opaque else { return }
            Unmanaged<RebalanceBridge>.fromOpaque(opaque).takeUnretainedValue()
                .rebalance(client: client, error: error, partitions: partitions)
        }
        let handle = try KafkaHandle(type: RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_poll_set_consumer(handle.pointer)
        let subscription = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(subscription) }
        rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA)
        let result = rd_kafka_subscribe(handle.pointer, subscription)
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: result, context: "could not subscribe to \(topic)")
        }
        self.handle = handle
        self.rebalance = rebalance
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
        let list = rd_kafka_topic_partition_list_new(Int32(nextOffsets.count))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for (partition, offset) in nextOffsets {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = offset
        }
        let result = rd_kafka_commit(handle.pointer, list, 1)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.debug("offset commit not sent", metadata: ["error": "\(String(cString: rd_kafka_err2str(result)))"])
        }
    }

    /// Stops fetching `partitions` until ``resume(_:)``, so that records of a
    /// partition whose consumer has fallen behind do not pile up in memory.
    /// Fetching resumes after the last record delivered.
    public func pause(_ partitions: [Int32]) {
        change(partitions, "pause", rd_kafka_pause_partitions)
    }

    /// Fetches `partitions` again after ``pause(_:)``.
    public func resume(_ partitions: [Int32]) {
        change(partitions, "resume", rd_kafka_resume_partitions)
    }

    private func change(
        _ partitions: [Int32], _ what: String,
        _ operation: (OpaquePointer?, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> rd_kafka_resp_err_t
    ) {
        guard !partitions.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions {
            rd_kafka_topic_partition_list_add(list, topic, partition)
        }
        let result = operation(handle.pointer, list)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("could not \(what) partitions", metadata: [
                "partitions": "\(partitions)", "error": "\(String(cString: rd_kafka_err2str(result)))",
            ])
        }
    }

    /// Polls until shutdown, then leaves the group and ends ``batches``.
    /// Assignments are made alongside, as their start positions arrive
    /// (``RebalanceBridge``), so polling never waits for them.
    public func run() async throws {
        let handle = self.handle
        let channel = self.channel
        let stopSignal = self.stopSignal
        let rebalance = self.rebalance
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
                        Self.pollLoop(handle: handle, channel: channel, stopSignal: stopSignal,
                                      maximumBatchSize: maximumBatchSize, logger: logger)
                        channel.finish()
                        rd_kafka_consumer_close(handle.pointer)
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
        handle: KafkaHandle, channel: MessageBatchChannel, stopSignal: StopSignal, maximumBatchSize: Int, logger: Logger
    ) {
        while !stopSignal.isStopped {
            var batch: [KafkaMessage] = []
            var timeout: Int32 = 100
            while batch.count < maximumBatchSize, let message = rd_kafka_consumer_poll(handle.pointer, timeout) {
                defer { rd_kafka_message_destroy(message) }
                timeout = 0
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    batch.append(KafkaMessage(copying: message))
                } else {
                    let reason = String(cString: rd_kafka_err2str(message.pointee.err))
                    logger.warning("consumer error", metadata: ["error": "\(reason)"])
                }
            }
            if !batch.isEmpty {
                channel.send(batch)
            }
        }
    }
}
