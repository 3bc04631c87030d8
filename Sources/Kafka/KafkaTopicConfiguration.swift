/// How ``KafkaAdmin`` creates a topic that is a log of record: every
/// record is kept forever.
public struct KafkaTopicConfiguration: Sendable, Equatable {
    public var partitions: Int32
    /// How many brokers hold each partition.
    public var replicationFactor: Int32
    /// `min.insync.replicas`: how many of them must hold a record before a
    /// producer with `acks=all` is told it is stored. The smaller of 2 and
    /// the replication factor (Kafka: 1, which with replication 3 promises
    /// one copy).
    public var minimumInSyncReplicas: Int32
    /// Further topic properties (tiered storage's `remote.storage.enable`,
    /// say), applied last, so they may also replace the ones above.
    public var additionalProperties: [String: String] = [:]

    public init(partitions: Int32, replicationFactor: Int32) {
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.minimumInSyncReplicas = min(2, replicationFactor)
    }

    /// The topic-level properties it is created with. Always:
    /// `retention.ms` and `retention.bytes` -1 (Kafka: 7 days and no size
    /// limit), so no record ever expires, and `cleanup.policy` `delete`
    /// (never `compact`, which would keep only the newest record per key).
    public var properties: [String: String] {
        [
            "retention.ms": "-1",
            "retention.bytes": "-1",
            "cleanup.policy": "delete",
            "min.insync.replicas": String(minimumInSyncReplicas),
        ].merging(additionalProperties) { $1 }
    }
}
