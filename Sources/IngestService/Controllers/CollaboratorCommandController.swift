import Hummingbird
import ReadModel
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
        group.post("namespaces/:owner/**", use: add)
        group.delete("namespaces/:owner/**", use: remove)
    }

    @Sendable func add(request: Request, context: RegistryRequestContext) async throws -> Response {
        let route = try NamespaceRoute(context: context, suffix: ["collaborators"])
        let caller = try context.requireCaller(with: .namespaceWrite, hiding: "namespace")
        let (command, body) = try await JSONBody.decodeKeepingBytes(AddCollaboratorCommand.self, from: request)
        return try await change(
            route, username: try command.validated(), caller: caller, request: request, context: context,
            change: Change(route: "POST /v1/namespaces/{owner}/{path}/collaborators", parameters: [body],
                           event: RegistryEvent.collaboratorAdded, status: .created))
    }

    @Sendable func remove(request: Request, context: RegistryRequestContext) async throws -> Response {
        let route = try NamespaceRoute(context: context, suffix: ["collaborators", nil])
        let caller = try context.requireCaller(with: .namespaceWrite, hiding: "namespace")
        let username = try validated { () throws(NameError) in try Username(route.suffix[1], field: "username") }
        return try await change(
            route, username: username, caller: caller, request: request, context: context,
            change: Change(route: "DELETE /v1/namespaces/{owner}/{path}/collaborators/{username}", parameters: [],
                           event: RegistryEvent.collaboratorRemoved, status: .ok))
    }

    /// One of the two changes: its route, what identifies the request, its event and status.
    private struct Change {
        let route: String
        let parameters: [[UInt8]]
        let event: (CollaboratorChanged) -> RegistryEvent
        let status: HTTPResponse.Status
    }

    /// Records the change on the namespace's root, once `caller` may manage it.
    private func change(
        _ route: NamespaceRoute, username: Username, caller: Caller, request: Request, context: RegistryRequestContext,
        change: Change
    ) async throws -> Response {
        let namespace = try await managedNamespace(route.namespace, by: caller, request: request)
        let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: change.route, parameters: change.parameters)
        let event: EventReference
        if let earlier = try await recorder.claim(idempotent) {
            event = earlier
        } else {
            event = try await recorder.record(
                change.event(CollaboratorChanged(owner: namespace.owner, root: namespace.path.root, username: username)),
                subject: namespace.owner.value, caller: caller, context: context, key: idempotent?.key)
        }
        return try await answer(event, namespace: namespace, request: request, status: change.status)
    }

    /// The namespace, when it exists and `caller` may manage it; 404 otherwise.
    private func managedNamespace(_ namespace: NamespaceReference, by caller: Caller, request: Request) async throws
        -> NamespaceReference
    {
        try await recorder.waiter.waitForRequestedPosition(request)
        guard let access = try await queries.namespaceAccess(namespace),
            AccessPolicy.canManage(access, viewer: caller.viewer)
        else {
            throw APIError.notFound("namespace \(namespace) not found")
        }
        return namespace
    }

    private func answer(
        _ event: EventReference, namespace: NamespaceReference, request: Request, status: HTTPResponse.Status
    ) async throws -> Response {
        let queries = self.queries
        return try await recorder.answer(event, request: request, status: status) {
            try await NamespaceResource.load(namespace, from: queries, showingCollaborators: true)
        }
    }
}
