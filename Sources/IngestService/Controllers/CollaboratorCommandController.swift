import Hummingbird
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `POST /v1/namespaces/{owner}/{path}/collaborators` and
/// `DELETE /v1/namespaces/{owner}/{path}/collaborators/{username}`: record
/// `collaborator-added` and `collaborator-removed`. Collaborators belong to
/// the root namespace and see the whole tree. Only the owner manages them.
struct CollaboratorCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any RegistryQueries

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("namespaces/:owner/**", use: add)
        group.delete("namespaces/:owner/**", use: remove)
    }

    @Sendable func add(request: Request, context: RegistryRequestContext) async throws -> Response {
        let route = try NamespaceRoute(context: context, suffix: ["collaborators"])
        let caller = try context.requireCaller(with: .namespaceWrite, hiding: "namespace")
        let username = try await JSONBody.decode(AddCollaboratorCommand.self, from: request).validated()
        return try await change(route, username: username, caller: caller, request: request, context: context,
                                event: RegistryEvent.collaboratorAdded, status: .created)
    }

    @Sendable func remove(request: Request, context: RegistryRequestContext) async throws -> Response {
        let route = try NamespaceRoute(context: context, suffix: ["collaborators", nil])
        let caller = try context.requireCaller(with: .namespaceWrite, hiding: "namespace")
        let username = try validated { () throws(NameError) in try Username(route.suffix[1], field: "username") }
        return try await change(route, username: username, caller: caller, request: request, context: context,
                                event: RegistryEvent.collaboratorRemoved, status: .ok)
    }

    /// Records the change on the namespace's root, once `caller` may manage it.
    private func change(
        _ route: NamespaceRoute, username: Username, caller: Caller, request: Request, context: RegistryRequestContext,
        event makeEvent: (CollaboratorChanged) -> RegistryEvent, status: HTTPResponse.Status
    ) async throws -> Response {
        let namespace = try await managedNamespace(route.namespace, by: caller, request: request)
        let event = try await recorder.record(
            makeEvent(CollaboratorChanged(owner: namespace.owner, root: namespace.path.root, username: username)),
            subject: namespace.owner.value, caller: caller, context: context,
            key: try recorder.idempotencyKey(of: request, caller: caller))
        return try await answer(event, namespace: namespace, request: request, status: status)
    }

    /// The namespace, when it exists and `caller` may manage it; 404 otherwise.
    private func managedNamespace(_ namespace: NamespaceReference, by caller: Caller, request: Request) async throws
        -> NamespaceReference
    {
        try await recorder.waiter.waitForRequestedPosition(request)
        guard let access = try await queries.namespaceAccess(owner: namespace.owner.value, path: namespace.path.value),
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
