import Foundation
import HTTPTypes
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// Records a command's event and builds the ingest answer: `202` with the
/// event, or, when the client asked to wait, the projected resource.
struct CommandRecorder: Sendable {
    let publisher: any EventPublisher
    let waiter: ProjectionWaiter
    let queries: any AuditRepository
    let idempotencyRecords: any IdempotencyRecords

    /// The service name written as each event's CloudEvents `source`.
    static let source = "image-ingest"

    /// The request's `Idempotency-Key` for `caller` on `route` (such as
    /// `POST /v1/images`), with the request's fingerprint over its path and
    /// `parameters` (the body, or what stands for it); 400 when malformed.
    func idempotency(of request: Request, caller: Caller, route: String, parameters: [[UInt8]])
        throws -> IdempotentCommand?
    {
        guard let text = request.headers[.idempotencyKey] else { return nil }
        let key = try validated { () throws(NameError) in
            try IdempotencyKey(caller: caller.username, scope: route, key: text)
        }
        let fingerprint = RequestFingerprint(
            [Array(request.method.rawValue.utf8), Array(request.uri.path.utf8)] + parameters)
        return IdempotentCommand(key: key, fingerprint: fingerprint)
    }

    /// Claims the command's key once the request is known to be allowed.
    /// Returns the event a first try recorded, once it is applied; `nil`
    /// for the first try, or a retry whose first try is not applied yet
    /// (recording it again is harmless: it is the same event). 422 when the
    /// key was first used for a different request.
    func claim(_ command: IdempotentCommand?) async throws -> RecordedEvent? {
        guard let command else { return nil }
        let claim = try await idempotencyRecords.claim(command.key, fingerprint: command.fingerprint)
        guard claim.fingerprint == command.fingerprint else {
            throw APIError.unprocessable(
                "Idempotency-Key \(command.key.key) was already used for a different request; use a new key for a new request",
                code: "idempotency_key_reused")
        }
        if claim.isFirstUse { return nil }
        return try await earlier([command.key])[command.key.eventID]
    }

    /// The events earlier tries of these commands recorded, once applied,
    /// by event id: one query for any number of keys.
    func earlier(_ keys: [IdempotencyKey]) async throws -> [UUID: RecordedEvent] {
        try await queries.appliedEvents(ids: keys.map(\.eventID)).compactMapValues { entry in
            // An entry whose data no longer reads as its event counts as not
            // applied: recording the same event again is harmless.
            guard let type = EventType(rawValue: entry.type),
                let event = try? CloudEventsCodec.decodeData(type: type, from: Array(entry.data.utf8))
            else { return nil }
            return RecordedEvent(
                reference: EventReference(id: entry.eventID, type: type, position: entry.position), event: event)
        }
    }

    /// Publishes `event` for `caller`, keyed by `subject`; returns its
    /// reference. With an idempotency key the event id derives from it, so a
    /// retry is the same event (the projection applies it once); `eventID`
    /// names it outright, for events whose identity is their content.
    func record(
        _ event: RegistryEvent, subject: String, caller: Caller, context: RegistryRequestContext,
        key: IdempotencyKey?, eventID: UUID? = nil
    ) async throws -> EventReference {
        let envelope = EventEnvelope(
            id: eventID ?? key?.eventID ?? EventID.make(), source: Self.source, actor: caller.username,
            actorRole: ActorRole(caller.viewer), subject: subject,
            requestID: context.id, event: event)
        let position: LogPosition
        do {
            position = try await publisher.publish(envelope)
        } catch let unavailable as EventLogUnavailable {
            throw APIError.serviceUnavailable(unavailable.description)
        }
        context.logger.info(
            "event recorded", metadata: ["event.id": "\(envelope.id)", "event.type": "\(envelope.type.rawValue)",
                                         "position": "\(position)"])
        return EventReference(id: envelope.id, type: envelope.type, position: position)
    }

    /// The answer for a recorded event: `accepted` with `202` (the event
    /// alone when `nil`), or, `waiting` (the request asked to wait, or the
    /// command always does), the projected resource with the event and the
    /// status `outcome` gives; `Registry-Position` says where the event is.
    func answer<Resource: Encodable & Sendable>(
        _ event: EventReference, request: Request, waiting: Bool, accepted: (Resource, HTTPResponse.Status)?,
        outcome: @Sendable () async throws -> (Resource, HTTPResponse.Status)?
    ) async throws -> EditedResponse<CommandAnswer<Resource>> {
        let headers: HTTPFields = [.registryPosition: event.position.description]
        guard waiting else {
            guard let (resource, status) = accepted else {
                return EditedResponse(status: .accepted, headers: headers, response: .accepted(event))
            }
            return EditedResponse(status: status, headers: headers, response: .resource(resource, event))
        }
        try await waiter.waitUntilProjected(event.position)
        guard let (resource, status) = try await outcome() else {
            // The event was applied but produced nothing to show (for example a
            // dead-lettered event); the event itself is still the answer.
            return EditedResponse(status: .accepted, headers: headers, response: .accepted(event))
        }
        return EditedResponse(status: status, headers: headers, response: .resource(resource, event))
    }
}

/// What an ingest command answers: the event it recorded, a resource with
/// that event, or the resource as it already was when the command changed
/// nothing.
enum CommandAnswer<Resource: Encodable & Sendable>: ResponseEncodable, Sendable {
    case accepted(EventReference)
    case resource(Resource, EventReference)
    case unchanged(Resource)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .accepted(let event):
            try AcceptedResource(event: event).encode(to: encoder)
        case .resource(let resource, let event):
            try resource.encode(to: encoder)
            var container = encoder.container(keyedBy: EventKey.self)
            try container.encode(event, forKey: .event)
        case .unchanged(let resource):
            try resource.encode(to: encoder)
        }
    }

    private enum EventKey: String, CodingKey { case event }
}

/// A command sent with an `Idempotency-Key`: the key in its scope and the
/// fingerprint of the request.
struct IdempotentCommand: Sendable {
    let key: IdempotencyKey
    let fingerprint: RequestFingerprint
}
