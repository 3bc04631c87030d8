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
/// dropped on the poll thread once it has held nothing for a while.
public final class KafkaProducer: Service, Sendable {
    private let configuration: KafkaConfiguration
    private let client: Mutex<KafkaHandle>
    /// The client a failed delivery asked to replace, if any.
    private let replacementRequest = Mutex<ObjectIdentifier?>(nil)
    private let stopSignal = StopSignal()
    private let flushTimeoutMilliseconds: Int32
    private let logger: Logger

    /// Settings the producer always uses unless the caller sets them.
    static let defaults: [String: String] = [
        "acks": "all",
        "enable.idempotence": "true",
        "message.timeout.ms": "10000",
        "linger.ms": "1",
        "partitioner": "murmur2_random",
    ]

    public init(configuration: KafkaConfiguration, flushTimeoutMilliseconds: Int32 = 10_000, logger: Logger) throws {
        self.configuration = configuration.merging(defaults: Self.defaults)
        self.client = Mutex(try Self.makeClient(self.configuration))
        self.flushTimeoutMilliseconds = flushTimeoutMilliseconds
        self.logger = logger
    }

    private static func makeClient(_ configuration: KafkaConfiguration) throws -> KafkaHandle {
        let conf = try configuration.makeNativeConfiguration()
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

    /// The client records go to now.
    private var current: KafkaHandle { client.withLock { $0 } }

    /// Sends one record and waits for the broker's acknowledgement.
    ///
    /// Records with the same key go to the same partition, in order.
    public func send(topic: String, key: [UInt8], value: [UInt8], headers: [KafkaHeader] = []) async throws
        -> KafkaRecordPosition
    {
        guard !stopSignal.isStopped else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__DESTROY, context: "producer is shutting down")
        }
        let handle = current
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let opaque = Unmanaged.passRetained(PendingDelivery(continuation)).toOpaque()
                if let error = enqueue(topic: topic, key: key, value: value, headers: headers, opaque: opaque, on: handle) {
                    Unmanaged<PendingDelivery>.fromOpaque(opaque).release()
                    continuation.resume(throwing: error)
                }
            }
        } catch let error as KafkaError where error.requiresNewProducer {
            replacementRequest.withLock { $0 = ObjectIdentifier(handle) }
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
        let stopSignal = self.stopSignal
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await DedicatedThread.run(name: "kafka-producer-poll") {
                    // Replaced clients, with when they were replaced: a send that
                    // read the old client just before the swap may still hand it
                    // a record, so each is purged and polled for a while longer.
                    var retired: [(client: KafkaHandle, since: ContinuousClock.Instant)] = []
                    while !stopSignal.isStopped {
                        let handle = self.current
                        rd_kafka_poll(handle.pointer, 100)
                        if let reason = self.reasonToReplace(handle), self.replace(handle, reason: reason) {
                            retired.append((handle, .now))
                        }
                        retired.removeAll { old in
                            Self.failPending(old.client)
                            return old.since.duration(to: .now) > .seconds(30) && rd_kafka_outq_len(old.client.pointer) == 0
                        }
                    }
                    retired.forEach { Self.failPending($0.client) }
                    self.flushAndClose(self.current)
                }
            } onGracefulShutdown: {
                stopSignal.stop()
            }
        } onCancel: {
            stopSignal.stop()
        }
        logger.info("producer stopped")
    }

    /// Why the client can no longer produce, if it cannot.
    private func reasonToReplace(_ handle: KafkaHandle) -> String? {
        var text = [CChar](repeating: 0, count: 512)
        if rd_kafka_fatal_error(handle.pointer, &text, text.count) != RD_KAFKA_RESP_ERR_NO_ERROR {
            return String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
        }
        let requested = replacementRequest.withLock { request in
            defer { request = nil }
            return request == ObjectIdentifier(handle)
        }
        return requested ? "the broker no longer accepts its producer id or epoch" : nil
    }

    /// Puts a new client in place of `failed`; returns whether it could.
    private func replace(_ failed: KafkaHandle, reason: String) -> Bool {
        do {
            let replacement = try Self.makeClient(configuration)
            client.withLock { $0 = replacement }
            logger.error("producer hit a fatal error; replaced it with a new one", metadata: ["reason": "\(reason)"])
            return true
        } catch {
            logger.error("producer hit a fatal error and could not be replaced", metadata: ["error": "\(error)"])
            return false
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
