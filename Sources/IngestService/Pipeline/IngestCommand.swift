import HTTPTypes
import Hummingbird
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// One ingest command that records one event, described step by step;
/// ``CommandRecorder/handle(_:request:context:)`` runs the steps in the same
/// order for every command:
///
/// 1. to 5. admit the request (``CommandAdmission``): access, read,
///    authorise, prepare, and claim its `Idempotency-Key`; a retry answers
///    its first try's event, a reused key 422;
/// 6. ``unchanged(_:)`` may answer `200` without recording (the namespace exists);
/// 7. ``event(for:caller:key:)`` is recorded in the log;
/// 8. the answer: ``accepted(_:of:)`` with `202` (by default the event
///    alone), or with `?wait=true` ``outcome(of:recorded:)`` once projected.
///
/// Commands that record many events at once are ``IngestBatchCommand``s.
protocol IngestCommand: CommandAdmission {
    /// What the command answers.
    associatedtype Resource: Encodable & Sendable

    /// The resource as it already is, answered `200` without recording
    /// anything; `nil` to record.
    func unchanged(_ prepared: Prepared) async throws -> Resource?

    /// The event to record and the subject (owner) it is keyed by. With an
    /// idempotency key, ids derive from it, so a retry is the same event.
    func event(for prepared: Prepared, caller: Caller, key: IdempotencyKey?) async throws
        -> (RegistryEvent, subject: String)

    /// The answer before the event is projected, and its status; `nil` (the
    /// default) answers `202` with the event alone.
    func accepted(_ recorded: RecordedEvent, of prepared: Prepared) -> (Resource, HTTPResponse.Status)?

    /// The projected resource and its status, once the event is applied;
    /// `nil` when the event made nothing to show (it was refused).
    func outcome(of prepared: Prepared, recorded: RecordedEvent) async throws -> (Resource, HTTPResponse.Status)?

    /// Whether the command always answers once its event is applied, as with
    /// `?wait=true` (default false).
    static var answersOnceApplied: Bool { get }
}

extension IngestCommand {
    func unchanged(_ prepared: Prepared) async throws -> Resource? { nil }

    func accepted(_ recorded: RecordedEvent, of prepared: Prepared) -> (Resource, HTTPResponse.Status)? { nil }

    static var answersOnceApplied: Bool { false }
}

/// An event a command recorded, by this request or by an earlier try with
/// the same `Idempotency-Key`.
struct RecordedEvent: Sendable {
    /// Where the event is in the log.
    let reference: EventReference
    /// What the event says.
    let event: RegistryEvent
}

extension CommandRecorder {
    /// Runs `command`'s steps for `request` (see ``IngestCommand``).
    func handle<Command: IngestCommand>(_ command: Command, request: Request, context: RegistryRequestContext)
        async throws -> EditedResponse<CommandAnswer<Command.Resource>>
    {
        let admitted = try await admit(command, request: request, context: context)
        let recorded: RecordedEvent
        if let earlier = try await claim(admitted.idempotent) {
            recorded = earlier
        } else if let existing = try await command.unchanged(admitted.prepared) {
            return EditedResponse(status: .ok, response: .unchanged(existing))
        } else {
            let key = admitted.idempotent?.key
            let (event, subject) = try await command.event(for: admitted.prepared, caller: admitted.caller, key: key)
            let reference = try await record(event, subject: subject, caller: admitted.caller, context: context, key: key)
            recorded = RecordedEvent(reference: reference, event: event)
        }
        let prepared = admitted.prepared
        return try await answer(
            recorded.reference, request: request, waiting: Command.answersOnceApplied || request.wantsProjectedResult,
            accepted: command.accepted(recorded, of: prepared),
            outcome: { try await command.outcome(of: prepared, recorded: recorded) })
    }
}
