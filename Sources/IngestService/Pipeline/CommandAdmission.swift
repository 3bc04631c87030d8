import Hummingbird
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// The steps every ingest command takes before it records anything, in
/// this order (``CommandRecorder/admit(_:request:context:)``):
///
/// 1. the caller must be let in by ``access`` (otherwise 401, or 404);
/// 2. ``read(_:context:caller:)`` parses and validates the request (400 naming the broken rule);
/// 3. ``authorize(_:caller:)`` asks ``AccessPolicy`` through the read model (404, revealing nothing);
/// 4. ``prepare(_:request:caller:)`` does what needs the permission first (an upload streams);
/// 5. the request's `Idempotency-Key` is read (400 when malformed) and,
///    by the command's end, claimed.
///
/// Read-your-writes (`Registry-Position`) is the route group's middleware,
/// so it has happened before step 1.
protocol CommandAdmission: Sendable {
    /// What the request asks for, once read and validated.
    associatedtype Parsed: Sendable
    /// What the permission check learned (the image to delete).
    associatedtype Allowed: Sendable = Parsed
    /// What is recorded, once prepared (the stored upload).
    associatedtype Prepared: Sendable = Allowed

    /// The route as idempotency keys are scoped: `POST /v1/namespaces`.
    static var route: String { get }
    /// Who may send the command at all.
    static var access: CommandAccess { get }

    func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed

    /// Throws (usually 404) unless `caller` may do this.
    func authorize(_ parsed: Parsed, caller: Caller) async throws -> Allowed

    /// Work that needs the caller's permission first; returns what to record
    /// and the parameters that identify the request for its `Idempotency-Key`.
    func prepare(_ allowed: Allowed, request: Request, caller: Caller) async throws
        -> (Prepared, fingerprint: [[UInt8]])
}

/// Who may send a command.
enum CommandAccess: Sendable {
    /// Callers whose token holds the scope; anyone else is told the
    /// resource named `hiding` was not found.
    case scope(Scope, hiding: String)
    /// Any caller with a token; the command's
    /// ``CommandAdmission/authorize(_:caller:)`` decides.
    case anyToken
}

/// A request that passed ``CommandAdmission``'s steps.
struct AdmittedCommand<Prepared: Sendable>: Sendable {
    let caller: Caller
    let prepared: Prepared
    /// The request's `Idempotency-Key` and fingerprint, when it sent one.
    let idempotent: IdempotentCommand?
}

extension CommandRecorder {
    /// Runs steps 1 to 5 of ``CommandAdmission`` for `request`.
    func admit<Command: CommandAdmission>(_ command: Command, request: Request, context: RegistryRequestContext)
        async throws -> AdmittedCommand<Command.Prepared>
    {
        let caller = switch Command.access {
        case .scope(let scope, let hidden): try context.requireCaller(with: scope, hiding: hidden)
        case .anyToken: try context.requireCaller()
        }
        let parsed = try await command.read(request, context: context, caller: caller)
        let allowed = try await command.authorize(parsed, caller: caller)
        let (prepared, fingerprint) = try await command.prepare(allowed, request: request, caller: caller)
        let idempotent = try idempotency(of: request, caller: caller, route: Command.route, parameters: fingerprint)
        return AdmittedCommand(caller: caller, prepared: prepared, idempotent: idempotent)
    }
}
