import Kafka
import Logging
import PostgresNIO
import ReadModel

/// What every replica of either service does before it serves: bring the
/// read model's schema up to date (under an advisory lock) and make sure the
/// event topic exists with its configured partition count.
public enum RegistryStartup {
    public static func prepare(settings: RegistrySettings, postgres: PostgresClient, logger: Logger) async throws {
        try await MigrationRunner(directory: settings.migrationsDirectory).run(on: postgres, logger: logger)
        try await KafkaAdmin.createTopic(
            settings.topic, partitions: settings.topicPartitions, replicationFactor: settings.topicReplication,
            configuration: settings.kafka)
    }
}
