/// What every client (producer, consumer, admin) is configured with.
///
/// The typed fields name the librdkafka property each one sets. Anything
/// else goes in ``additionalProperties`` by its librdkafka name, and is
/// applied last, so an operator can override any setting without a release.
public struct KafkaClientConfiguration: Sendable {
    /// `bootstrap.servers`: brokers as `host:port`, separated by commas.
    public var bootstrapServers: String
    /// `debug`: librdkafka's debug contexts (such as `broker,protocol`), or
    /// none; its output goes to the service's log.
    public var debugContexts: String?
    /// Further librdkafka properties by name, applied after everything else.
    public var additionalProperties: [String: String]

    public init(bootstrapServers: String, debugContexts: String? = nil, additionalProperties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.debugContexts = debugContexts
        self.additionalProperties = additionalProperties
    }

    /// The properties of a client with `specific` settings on top of these.
    func properties(with specific: [String: String]) -> [String: String] {
        var properties = specific
        properties["bootstrap.servers"] = bootstrapServers
        if let debugContexts, !debugContexts.isEmpty { properties["debug"] = debugContexts }
        properties.merge(additionalProperties) { _, additional in additional }
        return properties
    }
}

extension Duration {
    /// Whole milliseconds, as librdkafka's `*.ms` properties take them.
    var librdkafkaMilliseconds: String {
        let (seconds, attoseconds) = components
        return String(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
