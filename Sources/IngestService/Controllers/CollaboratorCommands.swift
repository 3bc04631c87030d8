import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// The commands of `POST /v1/namespaces/{owner}/{path}/collaborators` and
/// `DELETE /v1/namespaces/{owner}/{path}/collaborators/{username}`
/// (routed by ``NamespaceCommandController``): they record
/// `collaborator-added` and `collaborator-removed`. Collaborators belong to
/// the root namespace and see the whole tree. The owner removes them; only
/// administrators add them directly, owners invite (``InviteCommandController``).
enum CollaboratorCommands {
    /// Which collaborator of which namespace's root, and the request's body.
    struct Change: Sendable {
        let namespace: NamespaceReference
        let username: Username
        /// What identifies the request for its `Idempotency-Key`.
        let fingerprint: [[UInt8]]

        var event: CollaboratorChanged {
            CollaboratorChanged(owner: namespace.owner, root: namespace.path.root, username: username)
        }
    }

    struct AddCollaborator: CollaboratorCommand {
        let queries: any NamespaceRepository

        static let route = "POST /v1/namespaces/{owner}/{path}/collaborators"
        static let status = HTTPResponse.Status.created

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Change {
            let route = try NamespaceRoute(context: context, suffix: ["collaborators"])
            let (command, body) = try await JSONBody.decodeKeepingBytes(UsernameRequest.self, from: request)
            return Change(namespace: route.namespace, username: try command.validated(), fingerprint: [body])
        }

        /// Only administrators add a collaborator directly (to migrate or
        /// repair access); an owner invites, and the invitee accepts.
        func authorize(_ change: Change, caller: Caller) async throws -> Change {
            try await queries.requireManaging(change.namespace, caller: caller)
            guard caller.viewer.isAdministrator else {
                let root = "\(change.namespace.owner.value)/\(change.namespace.path.root.value)"
                throw APIError.forbidden(
                    "only administrators add collaborators directly; invite \(change.username.value) with "
                        + "POST /v1/namespaces/\(root)/invites, and they become a collaborator on accepting",
                    code: "invite_required")
            }
            return change
        }

        func event(for change: Change, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            (.collaboratorAdded(change.event), change.namespace.owner.value)
        }
    }

    struct RemoveCollaborator: CollaboratorCommand {
        let queries: any NamespaceRepository

        static let route = "DELETE /v1/namespaces/{owner}/{path}/collaborators/{username}"
        static let status = HTTPResponse.Status.ok

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Change {
            let route = try NamespaceRoute(context: context, suffix: ["collaborators", nil])
            let username = try validated { () throws(NameError) in try Username(route.suffix[1], field: "username") }
            return Change(namespace: route.namespace, username: username, fingerprint: [])
        }

        func event(for change: Change, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            (.collaboratorRemoved(change.event), change.namespace.owner.value)
        }
    }
}

/// What adding and removing a collaborator share: only those who may
/// manage the namespace may, and the answer is the namespace with its
/// collaborators.
protocol CollaboratorCommand: IngestCommand
where Parsed == CollaboratorCommands.Change, Resource == NamespaceResource {
    var queries: any NamespaceRepository { get }
    static var status: HTTPResponse.Status { get }
}

extension CollaboratorCommand {
    typealias Change = CollaboratorCommands.Change

    static var access: CommandAccess { .scope(.namespaceWrite, hiding: "namespace") }

    func authorize(_ change: Change, caller: Caller) async throws -> Change {
        try await queries.requireManaging(change.namespace, caller: caller)
        return change
    }

    func prepare(_ change: Change, request: Request, caller: Caller) async throws -> (Change, fingerprint: [[UInt8]]) {
        (change, change.fingerprint)
    }

    func outcome(of change: Change, recorded: RecordedEvent) async throws -> (NamespaceResource, HTTPResponse.Status)? {
        try await NamespaceResource.load(change.namespace, from: queries, showingCollaborators: true)
            .map { ($0, Self.status) }
    }
}
