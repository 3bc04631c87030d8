import Kafka
import Logging
import Metrics
import PostgresNIO
import ReadModel

/// What every replica of either service does before it serves: bring the
/// read model's schema up to date (under an advisory lock), make sure the
/// event topic exists, created to keep every record forever, and check that
/// it does (``EventLogRetention``).
public enum RegistryStartup {
    public static func prepare(settings: RegistrySettings, postgres: PostgresClient, logger: Logger) async throws {
        try await MigrationRunner(directory: settings.migrationsDirectory).run(on: postgres, logger: logger)
        try await KafkaAdmin.createTopic(settings.topic, settings.eventTopic, configuration: settings.kafka)
        try await checkRetention(settings: settings, logger: logger)
    }

    /// Throws ``NotReady`` when the event topic deletes records, unless
    /// `IMAGE_REGISTRY_ALLOW_FINITE_RETENTION` allows it; a topic created
    /// elsewhere (by an operator, or an older release) may. A broker that
    /// cannot report topic configuration is warned about, not refused.
    static func checkRetention(settings: RegistrySettings, logger: Logger) async throws {
        let reported: [String: TopicProperty]
        do {
            reported = try await KafkaAdmin.topicConfiguration(settings.topic, configuration: settings.kafka)
        } catch let error as KafkaError where error.isUnsupported {
            logger.warning(
                "the broker does not report topic configuration: cannot check that the event log is kept forever",
                metadata: ["topic": "\(settings.topic)", "error": "\(error)"])
            return
        }
        let retention = EventLogRetention(reported: reported)
        Gauge(label: "registry_event_log_retention_finite").record(retention.isFinite ? 1 : 0)
        switch retention {
        case .forever:
            return
        case .unreported(let names):
            logger.warning(
                "the broker did not report how long the event log keeps records; the broker's defaults apply",
                metadata: ["topic": "\(settings.topic)", "unreported": "\(names.joined(separator: ", "))"])
        case .finite(let reasons):
            let problem = "the event topic \(settings.topic) does not keep its records forever: "
                + reasons.joined(separator: "; ")
            guard settings.allowFiniteRetention else {
                throw NotReady(problem
                    + ". Set retention.ms=-1, retention.bytes=-1 and cleanup.policy=delete on the topic "
                    + "(docs/operations.md), or set IMAGE_REGISTRY_ALLOW_FINITE_RETENTION=true to accept losing history")
            }
            logger.warning("\(problem); allowed by IMAGE_REGISTRY_ALLOW_FINITE_RETENTION")
        }
    }
}

extension EventLogRetention {
    var isFinite: Bool {
        if case .finite = self { return true }
        return false
    }
}
