/// How ``KafkaConsumer`` reads one topic in a consumer group.
///
/// Offsets are never committed or stored automatically, a partition
/// without a position starts at its first record, and a position the log no
/// longer holds is reported (``PartitionAssignmentHandler/positionOutOfRange(partition:offset:reason:)``),
/// never silently moved (`auto.offset.reset=error`, librdkafka: `largest`);
/// those settings are always set, because where each partition resumes is
/// decided by the owner of the data, never by the broker.
public struct KafkaConsumerConfiguration: Sendable {
    public var client: KafkaClientConfiguration
    /// `group.id`: the consumer group; the topic's partitions are shared
    /// among its members.
    public var groupID: String
    /// `session.timeout.ms`: how long the group waits for a silent member
    /// before moving its partitions. 6 s (librdkafka: 45 s): fail-over and
    /// joining are quick (Tansu takes about half of it to complete a join).
    public var sessionTimeout: Duration = .seconds(6)
    /// `heartbeat.interval.ms`: 1 s (librdkafka: 3 s), a sixth of the session timeout.
    public var heartbeatInterval: Duration = .seconds(1)
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch that has
    /// no records. 100 ms (librdkafka: 500 ms): the local broker answers a
    /// fetch only when this wait ends, so it bounds how fresh the read model
    /// is; below about 50 ms its S3-backed storage stops answering fetches
    /// for seconds (measured, docs/decisions.md).
    public var fetchWaitMaximum: Duration = .milliseconds(100)

    public init(client: KafkaClientConfiguration, groupID: String) {
        self.client = client
        self.groupID = groupID
    }

    /// Every librdkafka property of the client.
    var properties: [String: String] {
        client.properties(with: [
            "group.id": groupID,
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "error",
            "enable.partition.eof": "false",
            "session.timeout.ms": sessionTimeout.librdkafkaMilliseconds,
            "heartbeat.interval.ms": heartbeatInterval.librdkafkaMilliseconds,
            "fetch.wait.max.ms": fetchWaitMaximum.librdkafkaMilliseconds,
        ])
    }
}
