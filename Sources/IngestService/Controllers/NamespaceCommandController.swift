import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// The write routes of namespaces: `POST /v1/namespaces` records
/// `namespace-created`; under `/v1/namespaces/{owner}/{path}`, `PATCH`
/// records `namespace-updated`, `DELETE` `namespace-deleted`, the
/// collaborator routes their changes (``CollaboratorCommands``) and
/// `POST …/invites` `invite-sent` (``InviteCommandController``), and the
/// webhook routes theirs (``WebhookCommands``). A path
/// may hold `/`, so each method has one catch-all route and the word after
/// the path (``NamespaceRoute/subresource(of:)``) picks the command.
struct NamespaceCommandController: Sendable {
    let recorder: CommandRecorder
    let queries: any NamespaceRepository & InviteRepository & WebhookRepository
    let outboundRules: OutboundRules

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.post("namespaces") { request, context in
            try await recorder.handle(CreateNamespace(queries: queries), request: request, context: context)
        }
        group.patch("namespaces/:owner/**") { request, context in
            try await recorder.handle(UpdateNamespace(queries: queries), request: request, context: context)
        }
        group.post("namespaces/:owner/**") { request, context -> Response in
            switch NamespaceRoute.subresource(of: context) {
            case "collaborators":
                try await respond(CollaboratorCommands.AddCollaborator(queries: queries), request, context)
            case "invites":
                try await respond(InviteCommandController.SendInvite(queries: queries), request, context)
            case "webhooks" where NamespaceRoute.suffix(of: context).count == 1:
                try await respond(WebhookCommands.CreateWebhook(queries: queries, rules: outboundRules), request, context)
            case "webhooks":
                try await respond(WebhookCommands.RedeliverWebhook(queries: queries), request, context)
            default:
                throw APIError.notFound("no such route")
            }
        }
        group.delete("namespaces/:owner/**") { request, context -> Response in
            switch NamespaceRoute.subresource(of: context) {
            case nil:
                try await respond(DeleteNamespace(queries: queries), request, context)
            case "collaborators":
                try await respond(CollaboratorCommands.RemoveCollaborator(queries: queries), request, context)
            case "webhooks":
                try await respond(WebhookCommands.DeleteWebhook(queries: queries), request, context)
            default:
                throw APIError.notFound("no such route")
            }
        }
    }

    /// Runs one of the commands a catch-all route chooses between.
    private func respond<Command: IngestCommand>(
        _ command: Command, _ request: Request, _ context: RegistryRequestContext
    ) async throws -> Response {
        try await recorder.handle(command, request: request, context: context).response(from: request, context: context)
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

    /// Deletes a namespace with every namespace below it and every image
    /// version in them (a root's collaborators go too). Only the owner (or
    /// an administrator) may; to anyone else the namespace does not exist.
    /// It always answers once the deletion is applied (the namespace as it
    /// was), so that no later request, to any replica, is decided on a read
    /// model that still holds the tree.
    struct DeleteNamespace: IngestCommand {
        let queries: any NamespaceRepository

        static let route = "DELETE /v1/namespaces/{owner}/{path}"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")
        static let answersOnceApplied = true

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws
            -> NamespaceReference
        {
            try NamespaceRoute(context: context).namespace
        }

        func authorize(_ namespace: NamespaceReference, caller: Caller) async throws -> Existing {
            try await queries.requireManaging(namespace, caller: caller)
            guard let resource = try await NamespaceResource.load(namespace, from: queries, showingCollaborators: true)
            else {
                throw APIError.notFound("namespace \(namespace) not found")
            }
            return Existing(reference: namespace, resource: resource)
        }

        func prepare(_ namespace: Existing, request: Request, caller: Caller) async throws
            -> (Existing, fingerprint: [[UInt8]])
        {
            (namespace, [])
        }

        func event(for namespace: Existing, caller: Caller, key: IdempotencyKey?) throws
            -> (RegistryEvent, subject: String)
        {
            let deleted = NamespaceDeleted(owner: namespace.reference.owner, path: namespace.reference.path)
            return (.namespaceDeleted(deleted), deleted.owner.value)
        }

        /// `200` with the namespace as it was, once it is gone; `nil` (the
        /// event alone) when the fold refused the deletion.
        func outcome(of namespace: Existing, recorded: RecordedEvent) async throws
            -> (NamespaceResource, HTTPResponse.Status)?
        {
            try await queries.namespace(namespace.reference) == nil ? (namespace.resource, .ok) : nil
        }

        /// The namespace to delete, as it is before the deletion.
        struct Existing: Sendable {
            let reference: NamespaceReference
            let resource: NamespaceResource
        }
    }
}
