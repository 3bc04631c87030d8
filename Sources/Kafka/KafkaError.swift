import CRdKafka

/// An error reported by librdkafka or by this wrapper.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// librdkafka's error code, when there is one.
    public let code: rd_kafka_resp_err_t?
    public let message: String

    init(code: rd_kafka_resp_err_t? = nil, message: String) {
        self.code = code
        self.message = message
    }

    /// Builds an error from a librdkafka error code.
    init(code: rd_kafka_resp_err_t, context: String) {
        self.init(code: code, message: "\(context): \(RDKafkaClient.describe(code))")
    }

    /// True when the broker could not be reached or did not answer in time:
    /// the write may be retried later.
    public var isTransient: Bool {
        guard let code else { return false }
        return [
            RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL,
            RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        ].contains(code)
    }

    /// True when the broker no longer accepts this producer's identity (its
    /// producer id or epoch): only a new producer client can write again.
    public var requiresNewProducer: Bool {
        guard let code else { return false }
        return [
            RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH, RD_KAFKA_RESP_ERR_PRODUCER_FENCED,
            RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
        ].contains(code)
    }

    /// True when the broker does not support the request (an older or a
    /// Kafka-compatible broker without that API).
    public var isUnsupported: Bool {
        guard let code else { return false }
        return [
            RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION,
        ].contains(code)
    }

    public var description: String { message }
}
