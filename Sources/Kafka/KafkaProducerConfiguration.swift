/// How ``KafkaProducer`` writes: every record is acknowledged by all
/// in-sync replicas and stored once, whatever the retries.
///
/// `acks=all` and `enable.idempotence=true` are always set: the registry
/// answers a command only once its event is durable, and a retried send
/// must never store an event twice.
public struct KafkaProducerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// `message.timeout.ms`: how long a record may wait for its
    /// acknowledgement before its sender gets an error. 10 s (librdkafka:
    /// 300 s): a request waiting on it should fail with 503 well before a
    /// client or balancer gives up on the request.
    public var messageTimeout: Duration = .seconds(10)
    /// `linger.ms`: how long a record waits for others to share its batch.
    /// 1 ms (librdkafka: 5 ms): each record is one request's answer, so
    /// latency matters more than batching; under load batches form anyway.
    public var linger: Duration = .milliseconds(1)
    /// `partitioner`: `murmur2_random` (librdkafka: `consistent_random`),
    /// the Java client's hash, so that a key lands on the partition that
    /// every other Kafka client computes for it.
    public var partitioner = "murmur2_random"
    /// `message.max.bytes`: the largest record; librdkafka's 1,000,000 when `nil`.
    public var maximumRecordBytes: Int?

    public init(client: KafkaClientConfiguration) {
        self.client = client
    }

    /// Every librdkafka property of the client.
    var properties: [String: String] {
        var specific = [
            "acks": "all",
            "enable.idempotence": "true",
            "message.timeout.ms": messageTimeout.librdkafkaMilliseconds,
            "linger.ms": linger.librdkafkaMilliseconds,
            "partitioner": partitioner,
        ]
        if let maximumRecordBytes { specific["message.max.bytes"] = String(maximumRecordBytes) }
        return client.properties(with: specific)
    }
}
