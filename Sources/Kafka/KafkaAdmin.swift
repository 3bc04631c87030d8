/// Topic administration through librdkafka's admin API.
public enum KafkaAdmin {
    /// Creates `topic` with an explicit partition count; an existing topic is left as it is.
    public static func createTopic(
        _ topic: String, partitions: Int32, replicationFactor: Int32,
        configuration: KafkaClientConfiguration, timeoutMilliseconds: Int32 = 10_000
    ) async throws {
        let client = try RDKafkaClient(.producer, properties: configuration.properties(with: [:]))
        let result: KafkaError? = await DedicatedThread.run(name: "kafka-admin") {
            client.createTopic(
                topic, partitions: partitions, replicationFactor: replicationFactor,
                timeoutMilliseconds: timeoutMilliseconds)
        }
        if let result { throw result }
    }
}
