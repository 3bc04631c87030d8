import Hummingbird
import ReadModel
import RegistryDomain
import RegistryHTTP

/// `POST /v1/namespaces`: records `namespace-created`.
struct NamespaceCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any NamespaceRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("namespaces", use: create)
    }

    /// Creating a namespace that exists changes nothing and answers 200 with it.
    @Sendable func create(request: Request, context: RegistryRequestContext) async throws -> Response {
        let caller = try context.requireCaller(with: .namespaceWrite, hiding: "namespace")
        let (command, body) = try await JSONBody.decodeKeepingBytes(CreateNamespaceCommand.self, from: request)
        let (reference, visibility) = try command.validated(for: caller)
        try await recorder.waiter.waitForRequestedPosition(request)
        let queries = self.queries
        // Collaborators may add namespaces inside the owner's tree.
        guard AccessPolicy.canWrite(try await queries.writeTarget(reference), viewer: caller.viewer) else {
            throw APIError.notFound("namespace \(reference) not found")
        }
        let idempotent = try recorder.idempotency(
            of: request, caller: caller, route: "POST /v1/namespaces", parameters: [body])
        let event: EventReference
        if let earlier = try await recorder.claim(idempotent) {
            event = earlier
        } else if let existing = try await queries.namespace(reference) {
            return try JSONResponse.encode(NamespaceResource(existing), status: .ok)
        } else {
            event = try await recorder.record(
                .namespaceCreated(NamespaceCreated(owner: reference.owner, path: reference.path, visibility: visibility)),
                subject: reference.owner.value, caller: caller, context: context, key: idempotent?.key)
        }
        return try await recorder.answer(event, request: request, status: .created) {
            try await queries.namespace(reference)
                .map { NamespaceResource($0) }
        }
    }
}
