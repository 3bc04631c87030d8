import CRdKafka
@testable import Kafka

/// librdkafka's broker emulation, reached over loopback by any number of
/// clients: consumer groups, rebalances and fetches without a real broker.
final class MockCluster: @unchecked Sendable {
    /// The client that owns the emulated cluster.
    private let owner: RDKafkaClient
    private let cluster: OpaquePointer
    let bootstrapServers: String

    init(topic: String, partitions: Int32) throws {
        owner = try RDKafkaClient(.producer, properties: [:])
        cluster = rd_kafka_mock_cluster_new(owner.pointer, 1)
        rd_kafka_mock_topic_create(cluster, topic, partitions, 1)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    var client: KafkaClientConfiguration { KafkaClientConfiguration(bootstrapServers: bootstrapServers) }
}
