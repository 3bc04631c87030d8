import CRdKafka

/// librdkafka properties, by their documented names
/// (`bootstrap.servers`, `acks`, ...).
public struct KafkaConfiguration: Sendable {
    public var properties: [String: String]

    /// Starts from the given brokers, `host:port` separated by commas.
    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrapServers
    }

    public subscript(name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// Properties set by the wrapper that the caller has not set.
    func merging(defaults: [String: String]) -> KafkaConfiguration {
        var copy = self
        copy.properties.merge(defaults) { current, _ in current }
        return copy
    }

    /// Makes a `rd_kafka_conf_t`; the caller owns it until `rd_kafka_new` takes it.
    func makeNativeConfiguration() throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        LibrdkafkaLog.install(on: conf)
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errorText, errorText.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                let reason = String(decoding: errorText.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
                throw KafkaError(message: "invalid Kafka setting \(name): \(reason)")
            }
        }
        return conf
    }
}
