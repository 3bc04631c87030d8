import Hummingbird
import RegistryDomain
import RegistryHTTP

/// Records a command's event and builds the ingest answer: `202` with the
/// event, or, when the client asked to wait, the projected resource.
struct CommandRecorder: Sendable {
    let publisher: any EventPublisher
    let waiter: ProjectionWaiter

    /// The service name written as each event's CloudEvents `source`.
    static let source = "image-ingest"

    /// Publishes `event` for `caller`, keyed by `subject`; returns its reference.
    func record(_ event: RegistryEvent, subject: String, caller: Caller, context: RegistryRequestContext) async throws
        -> EventReference
    {
        let envelope = EventEnvelope(
            source: Self.source, actor: caller.username, subject: subject, requestID: context.id, event: event)
        let position = try await publisher.publish(envelope)
        context.logger.info(
            "event recorded", metadata: ["event.id": "\(envelope.id)", "event.type": "\(envelope.type.rawValue)",
                                         "position": "\(position)"])
        return EventReference(id: envelope.id, type: envelope.type, position: position)
    }

    /// The answer for a recorded event: `202 {"event": …}`, or, when the
    /// request asked to wait, `status` with the projected resource and the event.
    func answer<Resource: Encodable & Sendable>(
        _ event: EventReference, request: Request, status: HTTPResponse.Status,
        projected: @Sendable () async throws -> Resource?
    ) async throws -> Response {
        let headers: HTTPFields = [.registryPosition: event.position.description]
        guard request.wantsProjectedResult else {
            return try JSONResponse.encode(EventOnly(event: event), status: .accepted, headers: headers)
        }
        try await waiter.waitUntilProjected(event.position)
        guard let resource = try await projected() else {
            // The event was applied but produced nothing to show (for example a
            // dead-lettered event); the event itself is still the answer.
            return try JSONResponse.encode(EventOnly(event: event), status: .accepted, headers: headers)
        }
        return try JSONResponse.encode(WithEvent(resource: resource, event: event), status: status, headers: headers)
    }

    private struct EventOnly: Encodable {
        let event: EventReference
    }

    /// A resource's fields with the `event` object alongside.
    private struct WithEvent<Resource: Encodable>: Encodable {
        let resource: Resource
        let event: EventReference

        func encode(to encoder: any Encoder) throws {
            try resource.encode(to: encoder)
            var container = encoder.container(keyedBy: EventKey.self)
            try container.encode(event, forKey: .event)
        }

        enum EventKey: String, CodingKey { case event }
    }
}
