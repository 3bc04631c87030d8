import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/namespaces/{owner}/{path}/collaborators` and
/// `DELETE /v1/namespaces/{owner}/{path}/collaborators/{username}`: record
/// `collaborator-added` and `collaborator-removed`. Collaborators belong to
/// the root namespace and see the whole tree. Only the owner manages them.
struct CollaboratorCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any NamespaceRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("namespaces/:owner/**") { request, context in
            try await recorder.handle(AddCollaborator(queries: queries), request: request, context: context)
        }
        group.delete("namespaces/:owner/**") { request, context in
            try await recorder.handle(RemoveCollaborator(queries: queries), request: request, context: context)
        }
    }

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
            let (command, body) = try await JSONBody.decodeKeepingBytes(AddCollaboratorRequest.self, from: request)
            return Change(namespace: route.namespace, username: try command.validated(), fingerprint: [body])
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
where Parsed == CollaboratorCommandController.Change, Resource == NamespaceResource {
    var queries: any NamespaceRepository { get }
    static var status: HTTPResponse.Status { get }
}

extension CollaboratorCommand {
    typealias Change = CollaboratorCommandController.Change

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
