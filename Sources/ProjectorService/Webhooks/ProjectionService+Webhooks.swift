import EventConsumer
import AsyncHTTPClient
import Kafka
import Logging
import PostgresNIO
import ReadModel
import RegistryDomain
import RegistryRuntime

extension ProjectionService {
    /// The webhook dispatcher as a projector replica runs it: a group
    /// consumer of the event topic of its own (`IMAGE_REGISTRY_WEBHOOK_GROUP`)
    /// whose "fold" is ``WebhookDispatcher``. Any number of replicas share
    /// the partitions; each partition's deliveries go out in log order.
    public static func webhookDispatch(
        settings: RegistrySettings, postgres: PostgresClient, client: HTTPClient, logger: Logger
    ) -> ProjectionService {
        let kafka = settings.kafka
        let outbound = settings.outbound
        let logger = {
            var logger = logger
            logger[metadataKey: "role"] = "webhook-dispatcher"
            return logger
        }()
        let dispatcher = WebhookDispatcher(
            log: PostgresWebhookDispatchLog(client: postgres, logger: logger),
            sender: WebhookSender(
                client: client, addresses: OutboundAddressGuard(rules: outbound.addressRules),
                timeout: outbound.webhookAttemptTimeout),
            seal: outbound.webhookSeal, schedule: WebhookRetrySchedule(period: outbound.webhookRetryPeriod),
            logger: logger)
        return ProjectionService(
            store: dispatcher, progress: ProjectionProgress(reportsMetrics: false), logger: logger,
            // A slow receiver holds up its own partition only.
            concurrentPartitions: Int(settings.topicPartitions), reportsProjection: false,
            prepare: { try await RegistryStartup.prepare(settings: settings, postgres: postgres, logger: logger) },
            makeReader: { handler in
                KafkaEventLogReader(consumer: try KafkaConsumer(
                    configuration: KafkaConsumerConfiguration(client: kafka, groupID: outbound.webhookGroup),
                    topic: settings.topic, assignmentHandler: handler, logger: logger))
            })
    }
}
