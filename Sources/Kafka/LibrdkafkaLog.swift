import CRdKafka
import Logging

/// Routes librdkafka's own log lines (connection failures, rebalances) into
/// swift-log instead of raw standard error.
enum LibrdkafkaLog {
    static let logger = Logger(label: "librdkafka")

    /// Installs the log callback on a configuration before the client is made.
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf) { _, level, facility, message in
            guard let message else { return }
            LibrdkafkaLog.logger.log(
                level: LibrdkafkaLog.level(syslog: level), "\(String(cString: message))",
                metadata: ["facility": "\(facility.map { String(cString: $0) } ?? "")"])
        }
    }

    /// librdkafka uses syslog levels: 0 emergency … 7 debug.
    static func level(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5, 6: .info
        default: .debug
        }
    }
}
