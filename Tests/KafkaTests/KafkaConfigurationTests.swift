import Testing

@testable import Kafka

/// The typed configurations become the librdkafka properties they document.
@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    static let client = KafkaClientConfiguration(bootstrapServers: "127.0.0.1:9092")

    @Test("a topic keeps every record forever and needs two in-sync replicas where it has them")
    func topic() {
        #expect(KafkaTopicConfiguration(partitions: 12, replicationFactor: 3).properties == [
            "retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete", "min.insync.replicas": "2",
        ])
        var single = KafkaTopicConfiguration(partitions: 1, replicationFactor: 1)
        #expect(single.properties["min.insync.replicas"] == "1")
        single.additionalProperties = ["remote.storage.enable": "true", "retention.ms": "1000"]
        #expect(single.properties["remote.storage.enable"] == "true")
        #expect(single.properties["retention.ms"] == "1000")
    }

    @Test("a producer always asks for acks=all and idempotence, with its durations in milliseconds")
    func producer() {
        var configuration = KafkaProducerConfiguration(client: Self.client)
        configuration.messageTimeout = .milliseconds(1500)
        configuration.maximumRecordBytes = 4 << 20
        #expect(configuration.properties == [
            "bootstrap.servers": "127.0.0.1:9092", "acks": "all", "enable.idempotence": "true",
            "message.timeout.ms": "1500", "linger.ms": "1", "partitioner": "murmur2_random",
            "message.max.bytes": "4194304",
        ])
    }

    @Test("a consumer never commits, stores or moves offsets by itself")
    func consumer() {
        let properties = KafkaConsumerConfiguration(client: Self.client, groupID: "projector").properties
        #expect(properties["group.id"] == "projector")
        #expect(properties["enable.auto.commit"] == "false" && properties["enable.auto.offset.store"] == "false")
        #expect(properties["auto.offset.reset"] == "error")
        #expect(properties["session.timeout.ms"] == "6000" && properties["heartbeat.interval.ms"] == "1000")
        #expect(properties["fetch.wait.max.ms"] == "100")
    }

    @Test("debug contexts are set only when given; additional properties are applied last")
    func clientSettings() {
        #expect(Self.client.properties(with: [:]) == ["bootstrap.servers": "127.0.0.1:9092"])
        let client = KafkaClientConfiguration(
            bootstrapServers: "b:1", debugContexts: "broker", additionalProperties: ["linger.ms": "7"])
        let properties = KafkaProducerConfiguration(client: client).properties
        #expect(properties["debug"] == "broker")
        #expect(properties["linger.ms"] == "7", "the operator's override wins")
    }
}
