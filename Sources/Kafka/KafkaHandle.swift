import CRdKafka

/// Owns one `rd_kafka_t`. librdkafka handles are safe to use from any thread.
final class KafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Creates a client of the given type; takes ownership of `conf`.
    init(type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) {
        var errorText = [CChar](repeating: 0, count: 512)
        guard let pointer = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            let reason = String(decoding: errorText.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
            throw KafkaError(message: "could not create Kafka client: \(reason)")
        }
        self.pointer = pointer
    }

    deinit {
        rd_kafka_destroy(pointer)
    }
}
