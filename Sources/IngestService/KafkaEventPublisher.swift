import Dispatch
import Kafka
import Metrics
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import Tracing

/// ``EventPublisher`` over the Kafka topic, keyed by the envelope's subject
/// (the owner), so each owner's events stay in order.
public struct KafkaEventPublisher: EventPublisher {
    private let producer: KafkaProducer
    private let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    /// Sends the event inside a producer span, whose W3C context the event
    /// carries (`ce_traceparent`), so the projector's apply span joins the
    /// request's trace.
    public func publish(_ envelope: EventEnvelope) async throws -> LogPosition {
        try await withSpan("send \(topic)", ofKind: .producer) { span in
            span.attributes["messaging.system"] = "kafka"
            span.attributes["messaging.operation.type"] = "send"
            span.attributes["messaging.destination.name"] = topic
            span.attributes["messaging.message.id"] = envelope.id.uuidString.lowercased()
            span.attributes["cloudevents.event_type"] = envelope.type.rawValue
            var traced = envelope
            traced.traceContext = EventTracing.currentContext()
            let position = try await send(traced)
            span.attributes["messaging.destination.partition.id"] = String(position.partition)
            span.attributes["messaging.kafka.offset"] = Int(position.offset)
            return position
        }
    }

    private func send(_ envelope: EventEnvelope) async throws -> LogPosition {
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
