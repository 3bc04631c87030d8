import Foundation
import Instrumentation
import RegistryDomain
import ServiceContextModule
import Tracing

/// Carries traces across the event log: the ingest side writes the current
/// span's W3C context onto the events it records, the projector starts its
/// apply spans in that context, so one trace runs from the HTTP request to
/// the read model.
public enum EventTracing {
    /// The context of the current span, as an event carries it; `nil` when
    /// nothing is traced (no tracer, or a tracer that propagates no W3C
    /// `traceparent`).
    public static func currentContext() -> EventTraceContext? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(
            ServiceContext.current ?? .topLevel, into: &carrier, using: DictionaryInjector())
        return EventTraceContext(traceParent: carrier["traceparent"], traceState: carrier["tracestate"])
    }

    /// A service context whose span is the one that recorded the event, for
    /// starting spans of work done on the event's behalf.
    static func serviceContext(for trace: EventTraceContext) -> ServiceContext {
        var context = ServiceContext.topLevel
        var carrier = ["traceparent": trace.traceParent]
        carrier["tracestate"] = trace.traceState
        InstrumentationSystem.instrument.extract(carrier, into: &context, using: DictionaryExtractor())
        return context
    }
}

extension EventTracing {
    /// Starts an `apply` span for each record that carries a trace context,
    /// as a child of the span that recorded it; end them once the records'
    /// transaction is over. Records without one (older events, untraced
    /// requests, a replay) start none, so a rebuild floods no tracer. The
    /// span's name and attributes take only the record's checked type and
    /// id; a record that has neither is poison and starts none either.
    public static func startApplySpans(for records: [LogRecord]) -> [any Span] {
        records.compactMap { record in
            guard let trace = CloudEventsCodec.traceContext(of: record.encoded),
                let type = record.encoded.header("ce_type").flatMap(EventType.init(rawValue:))?.rawValue,
                let id = record.encoded.header("ce_id").flatMap(UUID.init(uuidString:))
            else { return nil }
            let span = startSpan("apply \(type)", context: serviceContext(for: trace), ofKind: .consumer)
            span.attributes["messaging.system"] = "kafka"
            span.attributes["messaging.operation.type"] = "process"
            span.attributes["messaging.destination.partition.id"] = String(record.position.partition)
            span.attributes["messaging.kafka.offset"] = Int(record.position.offset)
            span.attributes["messaging.message.id"] = id.uuidString.lowercased()
            span.attributes["cloudevents.event_type"] = type
            return span
        }
    }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
