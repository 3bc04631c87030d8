import CRdKafka

/// What ``KafkaProducer`` asks of its client.
extension RDKafkaClient {
    /// Hands a record to librdkafka (which copies it) and returns once the
    /// broker has acknowledged it, with where it was stored. A client made
    /// with ``Callbacks/deliveryReports`` must be polled for the answer to come.
    func produce(topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader]) async throws
        -> KafkaRecordPosition
    {
        try await withCheckedThrowingContinuation { continuation in
            let opaque = Unmanaged.passRetained(PendingDelivery(continuation)).toOpaque()
            if let error = enqueue(topic: topic, key: key, value: value, headers: headers, opaque: opaque) {
                Unmanaged<PendingDelivery>.fromOpaque(opaque).release()
                continuation.resume(throwing: error)
            }
        }
    }

    /// Returns an error if librdkafka refused the record.
    private func enqueue(
        topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader], opaque: UnsafeMutableRawPointer
    ) -> KafkaError? {
        let nativeHeaders = rd_kafka_headers_new(headers.count)!
        for header in headers {
            // The name's length is passed, so a name may hold NUL bytes.
            let name = Array(header.name.utf8)
            name.withUnsafeBytes { nameBytes in
                header.value.withUnsafeBytes { bytes in
                    _ = rd_kafka_header_add(
                        nativeHeaders, nameBytes.baseAddress?.assumingMemoryBound(to: CChar.self), nameBytes.count,
                        bytes.baseAddress, bytes.count)
                }
            }
        }
        let error: OpaquePointer? = topic.withCString { topicName in
            key.withUnsafeBytes { keyBytes in
                value.withUnsafeBytes { valueBytes in
                    var arguments = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 6)
                    arguments[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    arguments[0].u.cstr = topicName
                    arguments[1].vtype = RD_KAFKA_VTYPE_KEY
                    arguments[1].u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                    arguments[1].u.mem.size = keyBytes.count
                    arguments[2].vtype = RD_KAFKA_VTYPE_VALUE
                    arguments[2].u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                    arguments[2].u.mem.size = valueBytes.count
                    arguments[3].vtype = RD_KAFKA_VTYPE_HEADERS
                    arguments[3].u.headers = nativeHeaders
                    arguments[4].vtype = RD_KAFKA_VTYPE_OPAQUE
                    arguments[4].u.ptr = opaque
                    arguments[5].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    arguments[5].u.i = RD_KAFKA_MSG_F_COPY
                    return rd_kafka_produceva(pointer, arguments, arguments.count)
                }
            }
        }
        guard let error else { return nil }
        // On failure librdkafka leaves the headers with us.
        rd_kafka_headers_destroy(nativeHeaders)
        return Self.error(consuming: error, context: "could not enqueue record")
    }

    /// librdkafka's fatal error, if the client has one: it can produce no more.
    var fatalError: String? {
        var text = [CChar](repeating: 0, count: 512)
        guard rd_kafka_fatal_error(pointer, &text, text.count) != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return Self.text(text)
    }

    /// Records handed over and not yet acknowledged or failed.
    var outstandingRecords: Int32 { rd_kafka_outq_len(pointer) }

    /// Fails every record still held, so no sender waits forever.
    func failOutstanding() {
        rd_kafka_purge(pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(pointer, 0)
    }

    /// Waits up to `milliseconds` for every record to be acknowledged;
    /// returns whether they all were.
    func flush(milliseconds: Int32) -> Bool {
        rd_kafka_flush(pointer, milliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR
    }

    /// Delivery reports resume the sender of each record.
    static func installDeliveryReports(on conf: OpaquePointer) {
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
            guard let message, let opaque = message.pointee._private else { return }
            let delivery = Unmanaged<PendingDelivery>.fromOpaque(opaque).takeRetainedValue()
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                delivery.continuation.resume(
                    returning: KafkaRecordPosition(partition: message.pointee.partition, offset: message.pointee.offset))
            } else {
                delivery.continuation.resume(throwing: KafkaError(code: message.pointee.err, context: "delivery failed"))
            }
        }
    }
}

/// The continuation of one ``RDKafkaClient/produce(topic:key:value:headers:)``,
/// passed to librdkafka as the record's opaque pointer.
private final class PendingDelivery {
    let continuation: CheckedContinuation<KafkaRecordPosition, any Error>

    init(_ continuation: CheckedContinuation<KafkaRecordPosition, any Error>) {
        self.continuation = continuation
    }
}
