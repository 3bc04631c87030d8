import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// The webhook reads under a namespace, routed by
/// ``NamespaceQueryController``: `GET …/webhooks` (its live webhooks),
/// `GET …/webhooks/{id}` and `GET …/webhooks/{id}/deliveries` (the latest
/// deliveries, newest first: event, attempts, status code, duration,
/// error). Only the namespace's owner and administrators see them.
struct WebhookQueryController: Sendable {
    let queries: any NamespaceRepository & WebhookRepository

    /// Answers the route `suffix` (`["webhooks", …]`) names.
    func respond(to request: Request, context: RegistryRequestContext, suffix: [String]) async throws -> Response {
        switch suffix.count {
        case 1:
            let namespace = try await managed(NamespaceRoute(context: context, suffix: ["webhooks"]), context)
            let webhooks = try await queries.webhooks(of: namespace).map(WebhookResource.init)
            return try Page(items: webhooks, nextCursor: nil).response(from: request, context: context)
        case 2:
            let route = try NamespaceRoute(context: context, suffix: ["webhooks", nil])
            let webhook = try await webhook(route.suffix[1], of: try await managed(route, context))
            return try WebhookResource(webhook).response(from: request, context: context)
        default:
            let route = try NamespaceRoute(context: context, suffix: ["webhooks", nil, "deliveries"])
            let webhook = try await webhook(route.suffix[1], of: try await managed(route, context))
            let limit = try PageRequest(request).limit
            let deliveries = try await queries.deliveries(of: webhook.created.webhookID, limit: limit)
            return try Page(items: deliveries.map(WebhookDeliveryResource.init), nextCursor: nil)
                .response(from: request, context: context)
        }
    }

    /// The route's namespace, when the viewer may manage it; 404 otherwise.
    private func managed(_ route: NamespaceRoute, _ context: RegistryRequestContext) async throws -> NamespaceReference {
        guard let access = try await queries.namespaceAccess(route.namespace),
            AccessPolicy.canManage(access, viewer: context.viewer(for: .namespaceRead))
        else {
            throw APIError.notFound("namespace \(route.namespace) not found")
        }
        return route.namespace
    }

    private func webhook(_ idText: String, of namespace: NamespaceReference) async throws -> WebhookRecord {
        guard let id = UUID(uuidString: idText), let webhook = try await queries.webhook(id),
            webhook.created.owner == namespace.owner, webhook.created.path == namespace.path
        else {
            throw APIError.notFound("webhook \(idText) not found")
        }
        return webhook
    }
}
