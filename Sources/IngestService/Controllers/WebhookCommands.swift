import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime

/// The webhook commands under a namespace (routed by
/// ``NamespaceCommandController``): `POST …/webhooks` records
/// `webhook-created`, `DELETE …/webhooks/{id}` `webhook-deleted`, and
/// `POST …/webhooks/{id}/deliveries/{delivery}/redeliver`
/// `webhook-redelivery-requested`. Only the namespace's owner (or an
/// administrator) may; to anyone else the namespace does not exist.
enum WebhookCommands {
    typealias Queries = NamespaceRepository & WebhookRepository

    struct CreateWebhook: IngestCommand {
        struct Parsed: Sendable {
            let namespace: NamespaceReference
            let url: WebhookURL
            let secret: String?
            let topics: [WebhookTopic]
            let active: Bool
            let body: [UInt8]
        }

        let queries: any Queries
        let rules: OutboundRules

        static let route = "POST /v1/namespaces/{owner}/{path}/webhooks"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            let namespace = try NamespaceRoute(context: context, suffix: ["webhooks"]).namespace
            let (command, body) = try await JSONBody.decodeKeepingBytes(CreateWebhookRequest.self, from: request)
            let fields = try command.validated()
            return Parsed(
                namespace: namespace, url: fields.url, secret: fields.secret, topics: fields.topics,
                active: fields.active, body: body)
        }

        /// The owner's, to a URL whose host may be reached, with a secret
        /// only when the registry can seal it.
        func authorize(_ input: Parsed, caller: Caller) async throws -> Parsed {
            try await queries.requireManaging(input.namespace, caller: caller)
            if input.secret != nil, rules.seal == nil {
                throw APIError.unprocessable(
                    "this registry cannot keep webhook secrets: its operator has not set IMAGE_REGISTRY_WEBHOOK_KEY",
                    code: "webhook_key_missing")
            }
            do {
                try await rules.addresses.check(input.url.url)
            } catch {
                throw APIError.unprocessable("url: \(error.description)", code: "forbidden_address")
            }
            return input
        }

        func prepare(_ input: Parsed, request: Request, caller: Caller) async throws -> (Parsed, fingerprint: [[UInt8]]) {
            (input, [input.body])
        }

        func event(for input: Parsed, caller: Caller, key: IdempotencyKey?) throws -> (RegistryEvent, subject: String) {
            let created = WebhookCreated(
                webhookID: key?.id(of: "webhook") ?? EventID.make(), owner: input.namespace.owner,
                path: input.namespace.path, url: input.url, topics: input.topics, active: input.active,
                sealedSecret: input.secret.flatMap { rules.seal?.seal($0) })
            return (.webhookCreated(created), input.namespace.owner.value)
        }

        func outcome(of input: Parsed, recorded: RecordedEvent) async throws -> (WebhookResource, HTTPResponse.Status)? {
            guard case .webhookCreated(let created) = recorded.event else { return nil }
            return try await queries.webhook(created.webhookID).map { (WebhookResource($0), .created) }
        }
    }

    /// The live webhook `route` names (`…/webhooks/{id}…`), when `caller`
    /// manages its namespace; 404 otherwise.
    static func webhook(_ route: NamespaceRoute, queries: any Queries, caller: Caller) async throws -> WebhookRecord {
        try await queries.requireManaging(route.namespace, caller: caller)
        let idText = route.suffix[1]
        guard let id = UUID(uuidString: idText), let webhook = try await queries.webhook(id),
            webhook.deletedOffset == nil, webhook.created.owner == route.namespace.owner,
            webhook.created.path == route.namespace.path
        else {
            throw APIError.notFound("webhook \(idText) not found")
        }
        return webhook
    }

    /// `DELETE …/webhooks/{id}`: `200` with the webhook, now deleted, once projected.
    struct DeleteWebhook: IngestCommand {
        let queries: any Queries

        static let route = "DELETE /v1/namespaces/{owner}/{path}/webhooks/{id}"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> NamespaceRoute {
            try NamespaceRoute(context: context, suffix: ["webhooks", nil])
        }

        func authorize(_ route: NamespaceRoute, caller: Caller) async throws -> WebhookRecord {
            try await WebhookCommands.webhook(route, queries: queries, caller: caller)
        }

        func prepare(_ webhook: WebhookRecord, request: Request, caller: Caller) async throws
            -> (WebhookRecord, fingerprint: [[UInt8]])
        {
            (webhook, [])
        }

        func event(for webhook: WebhookRecord, caller: Caller, key: IdempotencyKey?) throws
            -> (RegistryEvent, subject: String)
        {
            let created = webhook.created
            let deleted = WebhookDeleted(webhookID: created.webhookID, owner: created.owner, path: created.path)
            return (.webhookDeleted(deleted), created.owner.value)
        }

        func outcome(of webhook: WebhookRecord, recorded: RecordedEvent) async throws
            -> (WebhookResource, HTTPResponse.Status)?
        {
            try await queries.webhook(webhook.created.webhookID).map { (WebhookResource($0), .ok) }
        }
    }

    /// `POST …/webhooks/{id}/deliveries/{delivery}/redeliver`: answered with
    /// its event; the dispatcher sends the delivery when it gets there.
    struct RedeliverWebhook: IngestCommand {
        let queries: any Queries

        static let route = "POST /v1/namespaces/{owner}/{path}/webhooks/{id}/deliveries/{delivery}/redeliver"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> NamespaceRoute {
            try NamespaceRoute(context: context, suffix: ["webhooks", nil, "deliveries", nil, "redeliver"])
        }

        /// One of the live webhook's deliveries; 404 otherwise.
        func authorize(_ route: NamespaceRoute, caller: Caller) async throws -> WebhookRedeliveryRequested {
            let webhook = try await WebhookCommands.webhook(route, queries: queries, caller: caller)
            let deliveryText = route.suffix[3]
            guard let deliveryID = UUID(uuidString: deliveryText), let delivery = try await queries.delivery(deliveryID),
                delivery.webhookID == webhook.created.webhookID
            else {
                throw APIError.notFound("delivery \(deliveryText) not found")
            }
            return WebhookRedeliveryRequested(
                webhookID: webhook.created.webhookID, owner: webhook.created.owner, deliveryID: delivery.id)
        }

        func prepare(_ request: WebhookRedeliveryRequested, request _: Request, caller: Caller) async throws
            -> (WebhookRedeliveryRequested, fingerprint: [[UInt8]])
        {
            (request, [])
        }

        func event(for request: WebhookRedeliveryRequested, caller: Caller, key: IdempotencyKey?) throws
            -> (RegistryEvent, subject: String)
        {
            (.webhookRedeliveryRequested(request), request.owner.value)
        }

        func outcome(of request: WebhookRedeliveryRequested, recorded: RecordedEvent) async throws
            -> (WebhookResource, HTTPResponse.Status)?
        {
            nil
        }
    }
}
