import CRdKafka
import Logging
import ServiceLifecycle
import Synchronization

/// An idempotent Kafka producer (`acks=all`, `enable.idempotence=true`).
///
/// ``send(topic:key:value:headers:)`` returns only once the broker has
/// acknowledged the record, with the partition and offset it was stored at.
/// Delivery reports are served by a poll loop on a dedicated thread, which
/// ``run()`` starts; on shutdown it flushes every outstanding record.
///
/// An idempotent producer whose identity the broker stops accepting (a fatal
/// error, or a restarted broker that rejects its producer id or epoch) fails
/// every later record. The poll loop then replaces it with a new client:
/// records still queued in the old one fail (their senders see an error and
/// may retry), and later records go through the new one. The old client is
/// dropped on the poll thread once it has held nothing for a while. Which
/// client takes records, and when, is ``ProducerStateMachine``'s to decide.
public final class KafkaProducer: Service, Sendable {
    private let configuration: NativeConfiguration
    /// Which client takes records; internal so tests can see a replacement.
    let machine: Mutex<ProducerStateMachine<KafkaHandle>>
    private let flushTimeoutMilliseconds: Int32
    private let logger: Logger

    public init(configuration: KafkaProducerConfiguration, flushTimeoutMilliseconds: Int32 = 10_000, logger: Logger) throws {
        self.configuration = configuration.native
        self.machine = Mutex(ProducerStateMachine(client: try Self.makeClient(self.configuration)))
        self.flushTimeoutMilliseconds = flushTimeoutMilliseconds
        self.logger = logger
    }

    private static func makeClient(_ configuration: NativeConfiguration) throws -> KafkaHandle {
        let conf = try configuration.make()
        rd_kafka_conf_set_dr_msg_cb(conf) { _, message, _ in
            guard let message, let opaque = message.pointee._private else { return }
            let delivery = Unmanaged<PendingDelivery>.fromOpaque(opaque).takeRetainedValue()
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                delivery.continuation.resume(
                    returning: KafkaRecordPosition(partition: message.pointee.partition, offset: message.pointee.offset)
                )
            } else {
                delivery.continuation.resume(throwing: KafkaError(code: message.pointee.err, context: "delivery failed"))
            }
        }
        return try KafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
    }

    /// Sends one record and waits for the broker's acknowledgement.
    ///
    /// Records with the same key go to the same partition, in order.
    public func send(topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader] = []) async throws
        -> KafkaRecordPosition
    {
        guard let handle = machine.withLock({ $0.clientForSend }) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY, context: "producer is shutting down")
        }
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let opaque = Unmanaged.passRetained(PendingDelivery(continuation)).toOpaque()
                if let error = enqueue(topic: topic, key: key, value: value, headers: headers, opaque: opaque, on: handle) {
                    Unmanaged<PendingDelivery>.fromOpaque(opaque).release()
                    continuation.resume(throwing: error)
                }
            }
        } catch let error as KafkaError where error.requiresNewProducer {
            machine.withLock { $0.failed(handle, reason: "the broker no longer accepts its producer id or epoch") }
            throw error
        }
    }

    /// Hands the record to librdkafka, which copies it; returns an error if it refused.
    private func enqueue(
        topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader], opaque: UnsafeMutableRawPointer,
        on handle: KafkaHandle
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
                    return rd_kafka_produceva(handle.pointer, arguments, arguments.count)
                }
            }
        }
        guard let error else { return nil }
        // On failure librdkafka leaves the headers with us.
        rd_kafka_headers_destroy(nativeHeaders)
        return KafkaError(consuming: error, context: "could not enqueue record")
    }

    /// Serves delivery reports until shutdown, then flushes outstanding records.
    public func run() async throws {
        let stop: @Sendable () -> Void = { self.machine.withLock { _ = $0.beginDraining() } }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await DedicatedThread.run(name: "kafka-producer-poll") { self.pollUntilDraining() }
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
        logger.info("producer stopped")
    }

    /// The poll loop, on its own thread: serves delivery reports, replaces a
    /// client that can no longer produce, purges replaced ones, and at
    /// shutdown flushes (``ProducerStateMachine``).
    private func pollUntilDraining() {
        while let handle = machine.withLock({ $0.clientToPoll }) {
            rd_kafka_poll(handle.pointer, 100)
            if let reason = Self.fatalError(of: handle) {
                machine.withLock { $0.failed(handle, reason: reason) }
            }
            if let reason = machine.withLock({ $0.replacementReason }) {
                replace(reason: reason)
            }
            let retired = machine.withLock { machine in
                machine.retiredToPurge(at: .now, grace: .seconds(30)) { rd_kafka_outq_len($0.pointer) == 0 }
            }
            retired.forEach(Self.failPending)
        }
        let (current, retired) = machine.withLock { machine in
            (machine.current, machine.retired.map(\.client))
        }
        retired.forEach(Self.failPending)
        flushAndClose(current)
        machine.withLock { $0.finish() }
    }

    /// librdkafka's fatal error of `handle`, if it has one.
    private static func fatalError(of handle: KafkaHandle) -> String? {
        var text = [CChar](repeating: 0, count: 512)
        guard rd_kafka_fatal_error(handle.pointer, &text, text.count) != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// Puts a new client in place of the failed one; on failure the next poll tries again.
    private func replace(reason: String) {
        do {
            let replacement = try Self.makeClient(configuration)
            machine.withLock { $0.replaced(with: replacement, at: .now) }
            logger.error("producer hit a fatal error; replaced it with a new one", metadata: ["reason": "\(reason)"])
        } catch {
            logger.error("producer hit a fatal error and could not be replaced", metadata: ["error": "\(error)"])
        }
    }

    /// Fails every record `handle` still holds, so no sender waits forever.
    private static func failPending(_ handle: KafkaHandle) {
        rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(handle.pointer, 0)
    }

    private func flushAndClose(_ handle: KafkaHandle) {
        let result = rd_kafka_flush(handle.pointer, flushTimeoutMilliseconds)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.error("producer flush did not finish", metadata: ["pending": "\(rd_kafka_outq_len(handle.pointer))"])
        }
        // Fail whatever is still waiting, so no caller hangs.
        Self.failPending(handle)
    }
}

/// The continuation of one ``KafkaProducer/send(topic:key:value:headers:)``,
/// passed to librdkafka as the record's opaque pointer.
private final class PendingDelivery {
    let continuation: CheckedContinuation<KafkaRecordPosition, any Error>

    init(_ continuation: CheckedContinuation<KafkaRecordPosition, any Error>) {
        self.continuation = continuation
    }
}
