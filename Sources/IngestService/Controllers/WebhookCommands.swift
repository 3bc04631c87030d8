import Foundation
import Hummingbird
import ReadModel
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime

/// What webhook commands check beyond access: where a webhook may deliver,
/// and how its secret is sealed for the log.
struct WebhookRules: Sendable {
    let addresses: OutboundAddressGuard
    /// `nil`: no `IMAGE_REGISTRY_WEBHOOK_KEY`, so no webhook may have a secret.
    let seal: WebhookSecretSeal?

    init(_ settings: OutboundSettings = OutboundSettings()) {
        addresses = OutboundAddressGuard(rules: settings.addressRules)
        seal = settings.webhookSeal
    }
}

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
        let rules: WebhookRules

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

    /// `DELETE …/webhooks/{id}` and `POST …/webhooks/{id}/deliveries/{delivery}/redeliver`.
    struct ChangeWebhook: IngestCommand {
        enum Change: Sendable {
            case delete
            case redeliver
        }

        struct Parsed: Sendable {
            let namespace: NamespaceReference
            let webhookID: String
            let deliveryID: String?
        }

        let queries: any Queries
        let change: Change

        static let route = "DELETE /v1/namespaces/{owner}/{path}/webhooks/{id}"
        static let access = CommandAccess.scope(.namespaceWrite, hiding: "namespace")

        func read(_ request: Request, context: RegistryRequestContext, caller: Caller) async throws -> Parsed {
            switch change {
            case .delete:
                let route = try NamespaceRoute(context: context, suffix: ["webhooks", nil])
                return Parsed(namespace: route.namespace, webhookID: route.suffix[1], deliveryID: nil)
            case .redeliver:
                let route = try NamespaceRoute(context: context, suffix: ["webhooks", nil, "deliveries", nil, "redeliver"])
                return Parsed(namespace: route.namespace, webhookID: route.suffix[1], deliveryID: route.suffix[3])
            }
        }

        /// The live webhook of this namespace (and, to redeliver, one of its
        /// deliveries); 404 otherwise.
        func authorize(_ input: Parsed, caller: Caller) async throws -> (WebhookRecord, delivery: UUID?) {
            try await queries.requireManaging(input.namespace, caller: caller)
            guard let id = UUID(uuidString: input.webhookID), let webhook = try await queries.webhook(id),
                webhook.deletedOffset == nil, webhook.created.owner == input.namespace.owner,
                webhook.created.path == input.namespace.path
            else {
                throw APIError.notFound("webhook \(input.webhookID) not found")
            }
            guard let deliveryText = input.deliveryID else { return (webhook, nil) }
            guard let deliveryID = UUID(uuidString: deliveryText), let delivery = try await queries.delivery(deliveryID),
                delivery.webhookID == id
            else {
                throw APIError.notFound("delivery \(deliveryText) not found")
            }
            return (webhook, delivery.id)
        }

        func prepare(_ allowed: (WebhookRecord, delivery: UUID?), request: Request, caller: Caller) async throws
            -> ((WebhookRecord, delivery: UUID?), fingerprint: [[UInt8]])
        {
            (allowed, [])
        }

        func event(for allowed: (WebhookRecord, delivery: UUID?), caller: Caller, key: IdempotencyKey?) throws
            -> (RegistryEvent, subject: String)
        {
            let created = allowed.0.created
            // A redelivery always names its delivery (authorize found it).
            guard let delivery = allowed.delivery else {
                let deleted = WebhookDeleted(webhookID: created.webhookID, owner: created.owner, path: created.path)
                return (.webhookDeleted(deleted), created.owner.value)
            }
            let request = WebhookRedeliveryRequested(
                webhookID: created.webhookID, owner: created.owner, deliveryID: delivery)
            return (.webhookRedeliveryRequested(request), created.owner.value)
        }

        /// Deleted: `200` with the webhook, now deleted. A redelivery is
        /// answered with its event: the dispatcher sends it when it gets there.
        func outcome(of allowed: (WebhookRecord, delivery: UUID?), recorded: RecordedEvent) async throws
            -> (WebhookResource, HTTPResponse.Status)?
        {
            guard change == .delete else { return nil }
            return try await queries.webhook(allowed.0.created.webhookID).map { (WebhookResource($0), .ok) }
        }
    }
}
