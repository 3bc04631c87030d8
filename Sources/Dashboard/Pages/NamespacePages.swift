import Foundation
import Hummingbird
import RegistryAPI
import RegistryHTTP

/// Namespaces: the tree the viewer may see, creating one, and one
/// namespace's page with its visibility, collaborators, invites and
/// webhooks (with their recent deliveries), for its owner to change.
struct NamespacePages: Sendable {
    let context: DashboardContext

    func addRoutes(to group: RouterGroup<RegistryRequestContext>) {
        group.get("namespaces") { request, _ in await context.page(request) { try await tree(request, viewer: $0) } }
        group.post("namespaces") { request, _ in
            await context.form(request) { viewer, fields in try await create(fields, viewer: viewer) }
        }
        group.get("namespaces/:owner/**") { request, requestContext in
            let path = Self.path(requestContext)
            return await context.page(request) { try await show(path, viewer: $0) }
        }
        group.post("namespaces/:owner/**") { request, requestContext in
            let path = Self.path(requestContext)
            return await context.form(request) { viewer, fields in try await change(path, fields: fields, viewer: viewer) }
        }
    }

    /// `owner/path…` of the route, each segment escaped again for the API.
    private static func path(_ context: RegistryRequestContext) -> String {
        let owner = context.parameters.get("owner") ?? ""
        let rest = context.parameters.getCatchAll().joined(separator: "/")
        return Formatting.query(owner) + "/" + rest.split(separator: "/").map { Formatting.query(String($0)) }
            .joined(separator: "/")
    }

    private func tree(_ request: Request, viewer: SignedIn) async throws -> Response {
        let cursor = request.uri.queryParameters.get("cursor")
        let page = try await context.api.read(
            "/v1/namespaces?limit=100&" + Formatting.queryString([("cursor", cursor)]), token: viewer.token,
            as: Page<NamespaceResource>.self)
        let rows = page.items.sorted { ($0.owner, $0.path) < ($1.owner, $1.path) }.map { namespace -> [String: Any] in
            let depth = namespace.path.split(separator: "/").count - 1
            return [
                "path": namespace.path, "owner": namespace.owner, "reference": namespace.reference,
                "visibility": namespace.visibility.rawValue, "description": namespace.description,
                "indent": String(repeating: "— ", count: depth), "link": "/ui/namespaces/\(namespace.owner)/\(namespace.path)",
            ]
        }
        var values: [String: Any] = ["namespaces": rows, "empty": rows.isEmpty]
        if let next = page.nextCursor { values["next"] = "/ui/namespaces?cursor=\(Formatting.query(next))" }
        return context.renderer.page("namespaces", title: "Namespaces", section: "namespaces", viewer: viewer, values: values)
    }

    private func create(_ fields: FormFields, viewer: SignedIn) async throws -> Response {
        var body: [String: any Sendable] = ["path": fields["path"] ?? ""]
        if let visibility = fields["visibility"] { body["visibility"] = visibility }
        let created = try await context.api.write(.POST, "/v1/namespaces", token: viewer.token, json: body)
            .decode(NamespaceResource.self)
        return PageRenderer.redirect("/ui/namespaces/\(created.owner)/\(created.path)")
    }

    private func show(_ path: String, viewer: SignedIn) async throws -> Response {
        let namespace = try await context.api.read(
            "/v1/namespaces/\(path)", token: viewer.token, as: NamespaceResource.self)
        let owns = namespace.owner == viewer.username || viewer.isAdministrator
        var values: [String: Any] = [
            "reference": namespace.reference, "path": namespace.path, "owner": namespace.owner,
            "visibility": namespace.visibility.rawValue, "description": namespace.description,
            "created": Formatting.time(namespace.createdAt) ?? [:], "owns": owns, "is_root": !namespace.path.contains("/"),
            "action": "/ui/namespaces/\(path)", "images_link": "/ui/images?namespace=\(Formatting.query(namespace.reference))",
            "create_link": "/ui/images/new?namespace=\(Formatting.query(namespace.reference))",
            "collaborators": (namespace.collaborators ?? []).map { ["username": $0] },
            "has_collaborators": !(namespace.collaborators ?? []).isEmpty,
            "visibility_\(namespace.visibility.rawValue)": true,
        ]
        if owns {
            let invites = try await context.api.read(
                "/v1/namespaces/\(path)/invites", token: viewer.token, as: Page<InviteResource>.self)
            values["invites"] = invites.items.map(InvitePages.row)
            let webhooks = try await context.api.read(
                "/v1/namespaces/\(path)/webhooks", token: viewer.token, as: Page<WebhookResource>.self)
            var hooks: [[String: Any]] = []
            for hook in webhooks.items where hook.deletedAt == nil {
                let deliveries = try await context.api.read(
                    "/v1/namespaces/\(path)/webhooks/\(hook.id.uuidString.lowercased())/deliveries?limit=5",
                    token: viewer.token, as: Page<WebhookDeliveryResource>.self)
                hooks.append([
                    "id": hook.id.uuidString.lowercased(), "url": hook.url, "events": hook.events.joined(separator: ", "),
                    "active": hook.active,
                    "deliveries": deliveries.items.map { delivery -> [String: Any] in
                        [
                            "event": "\(delivery.event).\(delivery.action)", "state": delivery.state,
                            "status_code": delivery.statusCode.map(String.init) ?? "–", "attempts": delivery.attempts,
                            "when": Formatting.time(delivery.lastSentAt) ?? [:],
                        ]
                    },
                ])
            }
            values["webhooks"] = hooks
        }
        return context.renderer.page(
            "namespace", title: namespace.reference, section: "namespaces", viewer: viewer, values: values)
    }

    private func change(_ path: String, fields: FormFields, viewer: SignedIn) async throws -> Response {
        let here = "/ui/namespaces/\(path)"
        switch fields["action"] {
        case "visibility":
            // An emptied description field clears the description.
            _ = try await context.api.write(
                .PATCH, "/v1/namespaces/\(path)", token: viewer.token,
                json: ["visibility": fields["visibility"] ?? "", "description": fields["description"] ?? ""]
            ).decode(NamespaceResource.self)
        case "invite":
            _ = try await context.api.write(
                .POST, "/v1/namespaces/\(path)/invites", token: viewer.token, json: ["username": fields["username"] ?? ""]
            ).decode(InviteResource.self)
        case "remove-collaborator":
            _ = try await context.api.write(
                .DELETE, "/v1/namespaces/\(path)/collaborators/\(Formatting.query(fields["username"] ?? ""))",
                token: viewer.token
            ).decode(JSONValue.self)
        case "add-webhook":
            var body: [String: any Sendable] = ["url": fields["url"] ?? ""]
            if let secret = fields["secret"] { body["secret"] = secret }
            _ = try await context.api.write(.POST, "/v1/namespaces/\(path)/webhooks", token: viewer.token, json: body)
                .decode(WebhookResource.self)
        case "delete":
            _ = try await context.api.write(.DELETE, "/v1/namespaces/\(path)", token: viewer.token)
                .decode(JSONValue.self)
            return PageRenderer.redirect("/ui/namespaces")
        default:
            return context.renderer.notFound("no such action", viewer: viewer)
        }
        return PageRenderer.redirect(here)
    }
}
