import CRdKafka

/// What ``KafkaConsumer`` asks of its client.
extension RDKafkaClient {
    /// What one consumer poll gave.
    enum ConsumerPoll {
        case message(KafkaMessage)
        /// A consumer error (the broker unreachable, a partition error).
        case error(String)
        /// `partition` cannot be read from `offset`: the log no longer holds
        /// it (its start moved past it) or never did. librdkafka stops
        /// fetching the partition (`auto.offset.reset=error`).
        case outOfRange(partition: Int32, offset: Int64, reason: String)
        /// Nothing within the timeout.
        case nothing
    }

    /// Subscribes to `topic` in the client's group and serves the consumer
    /// queue from ``consumerPoll(milliseconds:)``.
    func subscribe(to topic: String) throws(KafkaError) {
        rd_kafka_poll_set_consumer(pointer)
        let subscription = RDKafkaPartitionList(topic: topic, partitions: [RD_KAFKA_PARTITION_UA])
        let result = subscription.withPointer { rd_kafka_subscribe(pointer, $0) }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: result, context: "could not subscribe to \(topic)")
        }
    }

    /// The next message, waiting up to `milliseconds`; rebalance callbacks run in here.
    func consumerPoll(milliseconds: Int32) -> ConsumerPoll {
        guard let message = rd_kafka_consumer_poll(pointer, milliseconds) else { return .nothing }
        defer { rd_kafka_message_destroy(message) }
        let error = message.pointee.err
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let reason = rd_kafka_message_errstr(message).map { String(cString: $0) } ?? Self.describe(error)
            guard error == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET else { return .error(reason) }
            return .outOfRange(partition: message.pointee.partition, offset: message.pointee.offset, reason: reason)
        }
        return .message(Self.copy(message))
    }

    /// Records positions in the group (asynchronously); returns librdkafka's refusal, if any.
    func commit(_ nextOffsets: [Int32: Int64], topic: String) -> String? {
        let list = RDKafkaPartitionList(topic: topic, partitions: Array(nextOffsets.keys), offsets: nextOffsets)
        let result = list.withPointer { rd_kafka_commit(pointer, $0, 1) }
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Self.describe(result)
    }

    /// Stops or restarts fetching `partitions`; returns librdkafka's refusal, if any.
    func setPaused(_ paused: Bool, partitions: [Int32], topic: String) -> String? {
        let list = RDKafkaPartitionList(topic: topic, partitions: partitions)
        let result = list.withPointer { paused ? rd_kafka_pause_partitions(pointer, $0) : rd_kafka_resume_partitions(pointer, $0) }
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : Self.describe(result)
    }

    /// Leaves the group (its last revocation runs the rebalance callback).
    func closeConsumer() {
        rd_kafka_consumer_close(pointer)
    }

    /// Copies a message out of librdkafka's memory.
    private static func copy(_ message: UnsafePointer<rd_kafka_message_t>) -> KafkaMessage {
        let native = message.pointee
        return KafkaMessage(
            topic: native.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "", partition: native.partition,
            offset: native.offset, key: bytes(native.key, native.key_len), value: bytes(native.payload, native.len),
            headers: headers(of: message))
    }

    private static func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var native: OpaquePointer?
        guard rd_kafka_message_headers(message, &native) == RD_KAFKA_RESP_ERR_NO_ERROR, let native else { return [] }
        var result: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(native, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            if let name {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                result.append(KafkaHeader(name: String(cString: name), value: bytes))
            }
            index += 1
        }
        return result
    }
}
