import HTTPTypes
import Hummingbird
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// One ingest command, described step by step; ``CommandRecorder/handle(_:request:context:)``
/// runs the steps in the same order for every command:
///
/// 1. the caller must hold ``scope`` (otherwise 401, or 404 naming ``hidden``);
/// 2. ``read(_:context:caller:)`` parses and validates the request (400 naming the broken rule);
/// 3. ``authorize(_:caller:)`` asks ``AccessPolicy`` through the read model (404, revealing nothing);
/// 4. ``prepare(_:request:caller:)`` does what needs the permission first (an upload streams);
/// 5. an `Idempotency-Key` is claimed: a retry answers its first try's event, a reused key 422;
/// 6. ``unchanged(_:)`` may answer `200` without recording (the namespace exists);
/// 7. ``event(for:caller:key:)`` is recorded in the log;
/// 8. the answer is `202` with the event, or with `?wait=true` ``outcome(of:event:)`` once projected.
///
/// Read-your-writes (`Registry-Position`) is the route group's middleware,
/// so it has happened before step 1.
protocol IngestCommand: Sendable {
    /// What the request asks for, once read and validated.
    associatedtype Parsed: Sendable
    /// What the permission check learned (the image to delete).
    associatedtype Allowed: Sendable = Parsed
    /// What is recorded, once prepared (the stored upload).
    associatedtype Prepared: Sendable = Allowed
    /// What the command answers once projected.
    associatedtype Resource: Encodable & Sendable

    /// The route as idempotency keys are scoped: `POST /v1/namespaces`.
    static var route: String { get }
    /// The token scope the command needs.
    static var scope: Scope { get }
    /// What a caller without ``scope`` is told was not found.
    static var hidden: String { get }

    func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed

    /// Throws (usually 404) unless `caller` may do this.
    func authorize(_ parsed: Parsed, caller: Caller) async throws -> Allowed

    /// Work that needs the caller's permission first; returns what to record
    /// and the parameters that identify the request for its `Idempotency-Key`.
    func prepare(_ allowed: Allowed, request: Request, caller: Caller) async throws
        -> (Prepared, fingerprint: [[UInt8]])

    /// The resource as it already is, answered `200` without recording
    /// anything; `nil` to record.
    func unchanged(_ prepared: Prepared) async throws -> Resource?

    /// The event to record and the subject (owner) it is keyed by. With an
    /// idempotency key, ids derive from it, so a retry is the same event.
    func event(for prepared: Prepared, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String)

    /// The projected resource and its status, once the event is applied;
    /// `nil` when the event made nothing to show (it was refused).
    func outcome(of prepared: Prepared, event: EventReference) async throws -> (Resource, HTTPResponse.Status)?
}

extension IngestCommand {
    func unchanged(_ prepared: Prepared) async throws -> Resource? { nil }
}

extension CommandRecorder {
    /// Runs `command`'s steps for `request` (see ``IngestCommand``).
    func handle<Command: IngestCommand>(_ command: Command, request: Request, context: RegistryRequestContext)
        async throws -> EditedResponse<CommandAnswer<Command.Resource>>
    {
        let caller = try context.requireCaller(with: Command.scope, hiding: Command.hidden)
        let parsed = try await command.read(request, context: context, caller: caller)
        let allowed = try await command.authorize(parsed, caller: caller)
        let (prepared, fingerprint) = try await command.prepare(allowed, request: request, caller: caller)
        let idempotent = try idempotency(of: request, caller: caller, route: Command.route, parameters: fingerprint)
        let event: EventReference
        if let earlier = try await claim(idempotent) {
            event = earlier
        } else if let existing = try await command.unchanged(prepared) {
            return EditedResponse(status: .ok, response: .unchanged(existing))
        } else {
            let (recorded, subject) = try command.event(for: prepared, caller: caller, key: idempotent?.key)
            event = try await record(recorded, subject: subject, caller: caller, context: context, key: idempotent?.key)
        }
        return try await answer(event, request: request, outcome: { try await command.outcome(of: prepared, event: event) })
    }
}
