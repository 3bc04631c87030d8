import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// `POST /v1/namespaces` records `namespace-created`;
/// `PATCH /v1/namespaces/{owner}/{path}` records `namespace-updated`.
struct NamespaceCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any NamespaceRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("namespaces") { request, context in
            try await recorder.handle(CreateNamespace(queries: queries), request: request, context: context)
        }
        group.patch("namespaces/:owner/**") { request, context in
            try await recorder.handle(UpdateNamespace(queries: queries), request: request, context: context)
        }
    }

    /// Creating a namespace that exists changes nothing and answers 200 with it.
    struct CreateNamespace: IngestCommand {
        struct Parsed: Sendable {
            let namespace: NamespaceReference
            let visibility: Visibility?
            let body: [UInt8]
        }

        let queries: any NamespaceRepository

        static let route = "POST /v1/namespaces"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let (command, body) = try await JSONBody.decodeKeepingBytes(CreateNamespaceRequest.self, from: request)
            let (namespace, visibility) = try command.validated(for: caller)
            return Parsed(namespace: namespace, visibility: visibility, body: body)
        }

        /// Collaborators may add namespaces inside the owner's tree.
        func authorize(_ input: Parsed, caller: Caller) async throws -> Parsed {
            guard AccessPolicy.canWrite(try await queries.writeTarget(input.namespace), viewer: caller.viewer) else {
                throw APIError.notFound("namespace \(input.namespace) not found")
            }
            return input
        }

        func prepare(_ input: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
            (input, [input.body])
        }

        func unchanged(_ input: Parsed) async throws -> NamespaceResource? {
            try await queries.namespace(input.namespace).map { NamespaceResource($0) }
        }

        func event(for input: Parsed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            let created = NamespaceCreated(owner: input.namespace.owner, path: input.namespace.path, visibility: input.visibility)
            return (.namespaceCreated(created), input.namespace.owner.value)
        }

        func outcome(of input: Parsed, recorded: RecordedEvent) async throws -> (NamespaceResource, HTTPResponse.Status)? {
            try await queries.namespace(input.namespace).map { (NamespaceResource($0), .created) }
        }
    }

    /// Changes a namespace's visibility (with every namespace below it) or
    /// description. Only the owner (or an administrator) may; to anyone
    /// else the namespace does not exist.
    struct UpdateNamespace: IngestCommand {
        struct Parsed: Sendable {
            let namespace: NamespaceReference
            let update: NamespaceUpdated
            let body: [UInt8]
        }

        let queries: any NamespaceRepository

        static let route = "PATCH /v1/namespaces/{owner}/{path}"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let namespace = try NamespaceRoute(context: context).namespace
            let (command, body) = try await JSONBody.decodeKeepingBytes(UpdateNamespaceRequest.self, from: request)
            return Parsed(namespace: namespace, update: try command.validated(for: namespace), body: body)
        }

        func authorize(_ input: Parsed, caller: Caller) async throws -> Parsed {
            try await queries.requireManaging(input.namespace, caller: caller)
            return input
        }

        func prepare(_ input: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
            (input, [input.body])
        }

        func event(for input: Parsed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            (.namespaceUpdated(input.update), input.namespace.owner.value)
        }

        func outcome(of input: Parsed, recorded: RecordedEvent) async throws -> (NamespaceResource, HTTPResponse.Status)? {
            try await NamespaceResource.load(input.namespace, from: queries, showingCollaborators: true).map { ($0, .ok) }
        }
    }
}
