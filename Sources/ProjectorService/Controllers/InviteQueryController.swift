import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// `GET /v1/invites` (the caller's pending invites), `GET /v1/invites/{id}`
/// (one invite, to its invitee and the namespace's owner) and, routed by
/// ``NamespaceQueryController``, `GET /v1/namespaces/{owner}/{path}/invites`
/// (the root's pending invites, to those who manage it).
struct InviteQueryController: Sendable {
    let queries: any NamespaceRepository & InviteRepository

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("invites", use: mine)
        group.get("invites/:id", use: show)
    }

    @Sendable func mine(request: Request, context: RegistryRequestContext) async throws -> Page<InviteResource> {
        let caller = try context.requireCaller()
        guard caller.has(.namespaceRead) else { return Page(items: [], nextCursor: nil) }
        return Page(
            items: try await queries.pendingInvites(to: caller.username).map(InviteResource.init), nextCursor: nil)
    }

    @Sendable func show(request: Request, context: RegistryRequestContext) async throws -> InviteResource {
        let idText = try context.parameters.require("id")
        let viewer = context.viewer(for: .namespaceRead)
        guard let id = UUID(uuidString: idText), let invite = try await queries.invite(id),
            viewer.isAdministrator || viewer.username == invite.invitation.username
                || viewer.username == invite.invitation.owner
        else {
            throw APIError.notFound("invite \(idText) not found")
        }
        return InviteResource(invite)
    }

    /// The pending invites of the namespace's root.
    func ofNamespace(request: Request, context: RegistryRequestContext) async throws -> Page<InviteResource> {
        let namespace = try NamespaceRoute(context: context, suffix: ["invites"]).namespace
        let root = NamespaceReference(path: namespace.path.root, owner: namespace.owner)
        guard let access = try await queries.namespaceAccess(root),
            AccessPolicy.canManage(access, viewer: context.viewer(for: .namespaceRead))
        else {
            throw APIError.notFound("namespace \(namespace) not found")
        }
        return Page(items: try await queries.pendingInvites(of: root).map(InviteResource.init), nextCursor: nil)
    }
}
