import Foundation

/// Data of `webhook-created`: `owner` asked for deliveries to `url` of
/// `topics` about the namespace at `path` and every namespace below it.
/// The secret that signs deliveries is never in the log in the clear:
/// `sealedSecret` is it sealed with the registry's webhook key
/// (``WebhookSecretSeal``), readable only by the services that hold it.
public struct WebhookCreated: Codable, Sendable, Equatable {
    public var webhookID: UUID
    public var owner: Username
    public var path: NamespacePath
    public var url: WebhookURL
    public var topics: [WebhookTopic]
    public var active: Bool
    public var sealedSecret: String?

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case sealedSecret = "sealed_secret"
        case owner, path, url, topics, active
    }

    public init(
        webhookID: UUID, owner: Username, path: NamespacePath, url: WebhookURL, topics: [WebhookTopic], active: Bool,
        sealedSecret: String?
    ) {
        self.webhookID = webhookID
        self.owner = owner
        self.path = path
        self.url = url
        self.topics = topics
        self.active = active
        self.sealedSecret = sealedSecret
    }

    /// Checks what decoding cannot: at least one topic, each once.
    public func validate() throws(NameError) {
        guard !topics.isEmpty, Set(topics).count == topics.count else {
            throw NameError(field: "events", message: "must name each of images, namespaces, invites at most once, and one at least")
        }
    }
}

/// Data of `webhook-deleted`: deliveries to webhook `webhookID` of the
/// namespace at `path` stop.
public struct WebhookDeleted: Codable, Sendable, Equatable {
    public var webhookID: UUID
    public var owner: Username
    public var path: NamespacePath

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case owner, path
    }

    public init(webhookID: UUID, owner: Username, path: NamespacePath) {
        self.webhookID = webhookID
        self.owner = owner
        self.path = path
    }
}

/// Data of `webhook-redelivery-requested`: the owner asks for delivery
/// `deliveryID` of webhook `webhookID` to be sent again, as it was.
public struct WebhookRedeliveryRequested: Codable, Sendable, Equatable {
    public var webhookID: UUID
    public var owner: Username
    public var deliveryID: UUID

    enum CodingKeys: String, CodingKey {
        case webhookID = "webhook_id"
        case deliveryID = "delivery_id"
        case owner
    }

    public init(webhookID: UUID, owner: Username, deliveryID: UUID) {
        self.webhookID = webhookID
        self.owner = owner
        self.deliveryID = deliveryID
    }
}
