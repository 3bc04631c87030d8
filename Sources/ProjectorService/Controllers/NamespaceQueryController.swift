import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/namespaces` (visible namespaces, paginated) and
/// `GET /v1/namespaces/{owner}/{path}` (one namespace; its collaborators are
/// shown to those who may manage them). The routes under a namespace share
/// its catch-all route; the word after the path picks one
/// (``NamespaceRoute/subresource(of:)``): `…/invites` is
/// ``InviteQueryController``'s, `…/webhooks` ``WebhookQueryController``'s.
struct NamespaceQueryController: Sendable {
    let queries: any NamespaceRepository & InviteRepository & WebhookRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("namespaces", use: list)
        group.get("namespaces/:owner/**") { request, context -> Response in
            switch NamespaceRoute.subresource(of: context) {
            case nil:
                try await show(request: request, context: context).response(from: request, context: context)
            case "invites":
                try await InviteQueryController(queries: queries).ofNamespace(request: request, context: context)
                    .response(from: request, context: context)
            case "webhooks":
                try await WebhookQueryController(queries: queries)
                    .respond(to: request, context: context, suffix: NamespaceRoute.suffix(of: context))
            default:
                throw APIError.notFound("no such route")
            }
        }
    }

    @Sendable func list(request: Request, context: RegistryRequestContext) async throws -> Page<NamespaceResource> {
        let page = try PageRequest(request)
        var filter = NamespaceListFilter(limit: page.limit)
        if let owner = request.queryParameter("owner") {
            filter.owner = try validated { () throws(NameError) in try Username(owner, field: "owner") }
        }
        filter.after = try page.cursorPair()
        let namespaces = try await queries.namespaces(filter, viewer: context.viewer(for: .namespaceRead))
        return Page(
            items: namespaces.map { NamespaceResource($0) },
            nextCursor: page.nextCursor(namespaces) { "\($0.reference.owner.value)/\($0.reference.path.value)" })
    }

    @Sendable func show(request: Request, context: RegistryRequestContext) async throws -> NamespaceResource {
        let namespace = try NamespaceRoute(context: context).namespace
        let viewer = context.viewer(for: .namespaceRead)
        guard let access = try await queries.namespaceAccess(namespace),
            AccessPolicy.canSee(access, viewer: viewer),
            let resource = try await NamespaceResource.load(
                namespace, from: queries, showingCollaborators: AccessPolicy.canManage(access, viewer: viewer))
        else {
            throw APIError.notFound("namespace \(namespace) not found")
        }
        return resource
    }
}
