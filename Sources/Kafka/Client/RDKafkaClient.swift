import CRdKafka
import Logging

/// The one type that talks to librdkafka: it owns an `rd_kafka_t` and
/// every C call on it. The producer, the consumer and topic creation use
/// its methods (in the `RDKafkaClient+…` files), never the C API.
///
/// librdkafka handles are safe to use from any thread; calls that block
/// (polls, flushes, waiting for the admin API) are made on a thread of the
/// caller's own (``DedicatedThread``), never on the concurrency pool.
final class RDKafkaClient: @unchecked Sendable {
    enum Kind {
        case producer
        case consumer
    }

    /// What librdkafka calls back into.
    enum Callbacks {
        case none
        /// Each record's delivery report resumes its sender (``RDKafkaClient/produce(topic:key:value:headers:)``).
        case deliveryReports
        /// Rebalances go to `bridge`, which must outlive the client.
        case rebalance(RebalanceBridge)
    }

    let pointer: OpaquePointer

    /// Creates a client with `properties` (librdkafka names); a property
    /// librdkafka refuses is an error naming it.
    init(_ kind: Kind, properties: [String: String], callbacks: Callbacks = .none) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        Self.installLog(on: conf)
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            guard rd_kafka_conf_set(conf, name, value, &errorText, errorText.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(message: "invalid Kafka setting \(name): \(Self.text(errorText))")
            }
        }
        switch callbacks {
        case .none: break
        case .deliveryReports: Self.installDeliveryReports(on: conf)
        case .rebalance(let bridge): Self.installRebalance(on: conf, bridge: bridge)
        }
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let pointer = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(message: "could not create Kafka client: \(Self.text(errorText))")
        }
        self.pointer = pointer
    }

    deinit {
        rd_kafka_destroy(pointer)
    }

    /// Serves callbacks (delivery reports, logs) for up to `milliseconds`.
    func poll(milliseconds: Int32) {
        rd_kafka_poll(pointer, milliseconds)
    }

    /// librdkafka's description of an error code.
    static func describe(_ code: rd_kafka_resp_err_t) -> String {
        String(cString: rd_kafka_err2str(code))
    }

    /// Takes ownership of a `rd_kafka_error_t`, destroys it, and returns it as an error.
    static func error(consuming error: OpaquePointer, context: String) -> KafkaError {
        let code = rd_kafka_error_code(error)
        let reason = String(cString: rd_kafka_error_string(error))
        rd_kafka_error_destroy(error)
        return KafkaError(code: code, message: "\(context): \(reason)")
    }

    /// A NUL-terminated C buffer as text.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// Routes librdkafka's own log lines (connection failures, rebalances)
    /// into swift-log instead of raw standard error.
    private static func installLog(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { _, level, facility, message in
            guard let message else { return }
            LibrdkafkaLog.logger.log(
                level: LibrdkafkaLog.level(syslog: level), "\(String(cString: message))",
                metadata: ["facility": "\(facility.map { String(cString: $0) } ?? "")"])
        }
    }

    private static func installRebalance(on conf: OpaquePointer, bridge: RebalanceBridge) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(bridge).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf) { client, error, partitions, opaque in
            guard let client, let opaque else { return }
            let bridge = Unmanaged<RebalanceBridge>.fromOpaque(opaque).takeUnretainedValue()
            let list = partitions.map(RDKafkaPartitionList.init(copying:))
            if error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, let list {
                bridge.assigned(list, client: RebalancingClient(pointer: client))
            } else {
                // Revocations are applied at once, inside the callback.
                rd_kafka_assign(client, nil)
                bridge.revoked(list?.numbers ?? [])
            }
        }
    }
}

/// The client a rebalance callback was called for, to assign its partitions
/// later (``RebalanceBridge``); librdkafka allows `rd_kafka_assign` from any thread.
struct RebalancingClient: @unchecked Sendable {
    fileprivate let pointer: OpaquePointer

    /// Assigns `partitions` at their offsets; returns librdkafka's refusal, if any.
    func assign(_ partitions: RDKafkaPartitionList) -> String? {
        let result = partitions.withPointer { rd_kafka_assign(pointer, $0) }
        return result == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : RDKafkaClient.describe(result)
    }
}
