import Foundation
import Hummingbird
import RegistryAPI
import RegistryHTTP

/// The viewer's pending invites, to accept or reject.
struct InvitePages: Sendable {
    let context: DashboardContext

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("invites") { request, _ in
            await context.page(request) { viewer in
                let invites = try await context.api.read("/v1/invites", token: viewer.token, as: Page<InviteResource>.self)
                return context.renderer.page(
                    "invites", title: "Invites", section: "invites", viewer: viewer,
                    values: ["invites": invites.items.map(Self.row), "empty": invites.items.isEmpty])
            }
        }
        group.post("invites/:id/:answer") { request, requestContext in
            let id = requestContext.parameters.get("id") ?? ""
            let answer = requestContext.parameters.get("answer") ?? ""
            return await context.form(request) { viewer, _ in
                guard UUID(uuidString: id) != nil, ["accept", "reject"].contains(answer) else {
                    return context.renderer.notFound("invite \(id) not found", viewer: viewer)
                }
                let invite = try await context.api.write(.POST, "/v1/invites/\(id)/\(answer)", token: viewer.token)
                    .decode(InviteResource.self)
                if answer == "accept", invite.username == viewer.username {
                    return PageRenderer.redirect("/ui/namespaces/\(invite.owner)/\(invite.path)")
                }
                return PageRenderer.redirect(
                    invite.username == viewer.username ? "/ui/invites" : "/ui/namespaces/\(invite.owner)/\(invite.path)")
            }
        }
    }

    static func row(_ invite: InviteResource) -> [String: Any] {
        [
            "id": invite.id.uuidString.lowercased(), "namespace": invite.namespace, "username": invite.username,
            "invited_by": invite.invitedBy, "state": invite.state, "pending": invite.state == "pending",
            "created": Formatting.time(invite.createdAt) ?? [:],
        ]
    }
}
