/// Topic administration through librdkafka's admin API.
public enum KafkaAdmin {
    /// Creates `topic` as `topicConfiguration` says; an existing topic is
    /// left as it is (``topicConfiguration(_:configuration:timeoutMilliseconds:)``
    /// tells how it is configured).
    public static func createTopic(
        _ topic: String, _ topicConfiguration: KafkaTopicConfiguration,
        configuration: KafkaClientConfiguration, timeoutMilliseconds: Int32 = 10_000
    ) async throws {
        let client = try RDKafkaClient(.producer, properties: configuration.properties(with: [:]))
        let result: KafkaError? = await DedicatedThread.run(name: "kafka-admin") {
            client.createTopic(
                topic, partitions: topicConfiguration.partitions,
                replicationFactor: topicConfiguration.replicationFactor,
                configuration: topicConfiguration.properties, timeoutMilliseconds: timeoutMilliseconds)
        }
        if let result { throw result }
    }

    /// The configuration the broker reports for `topic`, by property name.
    /// Apache Kafka reports every property, defaults included; some
    /// Kafka-compatible brokers only those set on the topic.
    public static func topicConfiguration(
        _ topic: String, configuration: KafkaClientConfiguration, timeoutMilliseconds: Int32 = 10_000
    ) async throws -> [String: TopicProperty] {
        let client = try RDKafkaClient(.producer, properties: configuration.properties(with: [:]))
        let result = await DedicatedThread.run(name: "kafka-admin") {
            client.topicConfiguration(topic, timeoutMilliseconds: timeoutMilliseconds)
        }
        return try result.get()
    }
}
