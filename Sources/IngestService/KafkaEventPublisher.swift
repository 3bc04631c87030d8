import Dispatch
import Kafka
import Metrics
import RegistryDomain
import RegistryHTTP

/// ``EventPublisher`` over the Kafka topic, keyed by the envelope's subject
/// (the owner), so each owner's events stay in order.
public struct KafkaEventPublisher: EventPublisher {
    private let producer: KafkaProducer
    private let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    public func publish(_ envelope: EventEnvelope) async throws -> LogPosition {
        let record = CloudEventsCodec.encode(envelope)
        let started = DispatchTime.now()
        do {
            let stored = try await producer.send(
                topic: topic, key: record.key, value: record.value,
                headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
            Timer(label: "registry_produce_duration_seconds").recordInterval(since: started)
            Counter(label: "registry_events_produced_total", dimensions: [("type", envelope.type.rawValue)]).increment()
            Gauge(label: "registry_produced_next_offset", dimensions: [("partition", String(stored.partition))])
                .record(stored.offset + 1)
            return LogPosition(partition: stored.partition, offset: stored.offset)
        } catch let error as KafkaError {
            Counter(label: "registry_produce_failures_total").increment()
            throw EventLogUnavailable(reason: error.message)
        }
    }
}
