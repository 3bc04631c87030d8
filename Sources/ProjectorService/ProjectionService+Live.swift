import EventConsumer
import Kafka
import Logging
import PostgresNIO
import ReadModel
import RegistryHTTP
import RegistryRuntime

extension ProjectionService {
    /// The projection as the service runs it: migrations and topic creation
    /// first, then a group consumer of the event topic folding into PostgreSQL.
    public static func live(
        settings: RegistrySettings, postgres: PostgresClient, progress: ProjectionProgress = ProjectionProgress(),
        logger: Logger
    ) -> ProjectionService {
        let kafka = settings.kafka
        return ProjectionService(
            store: PostgresProjectionStore(client: postgres, logger: logger),
            progress: progress,
            logger: logger,
            prepare: { try await RegistryStartup.prepare(settings: settings, postgres: postgres, logger: logger) },
            makeReader: { handler in
                KafkaEventLogReader(consumer: try KafkaConsumer(
                    configuration: KafkaConsumerConfiguration(client: kafka, groupID: settings.consumerGroup),
                    topic: settings.topic, assignmentHandler: handler, logger: logger))
            })
    }
}
