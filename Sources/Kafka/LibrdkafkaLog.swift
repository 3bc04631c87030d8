import Logging

/// Where librdkafka's own log lines go (``RDKafkaClient`` installs the
/// callback): swift-log, at the level matching librdkafka's.
enum LibrdkafkaLog {
    static let logger = Logger(label: "librdkafka")

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
