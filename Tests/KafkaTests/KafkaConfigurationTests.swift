import Testing

@testable import Kafka

/// The typed configurations become the librdkafka properties they document.
@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    static let client = KafkaClientConfiguration(bootstrapServers: "127.0.0.1:9092")

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

    @Test("a consumer never commits or stores offsets by itself and starts a new partition at its first record")
    func consumer() {
        let properties = KafkaConsumerConfiguration(client: Self.client, groupID: "projector").properties
        #expect(properties["group.id"] == "projector")
        #expect(properties["enable.auto.commit"] == "false" && properties["enable.auto.offset.store"] == "false")
        #expect(properties["auto.offset.reset"] == "earliest")
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
