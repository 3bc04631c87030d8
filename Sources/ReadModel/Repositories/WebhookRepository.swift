import Foundation
import RegistryDomain

/// A webhook as the read model holds it.
public struct WebhookRecord: Sendable, Equatable {
    public var created: WebhookCreated
    public var createdAt: Date
    public var createdBy: String
    /// Where its `webhook-created` is in the log.
    public var position: LogPosition
    /// The offset (in the same partition) of the event that ended it.
    public var deletedOffset: Int64?
    public var deletedAt: Date?

    public init(
        created: WebhookCreated, createdAt: Date, createdBy: String, position: LogPosition, deletedOffset: Int64? = nil,
        deletedAt: Date? = nil
    ) {
        self.created = created
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.position = position
        self.deletedOffset = deletedOffset
        self.deletedAt = deletedAt
    }

    /// Whether an event at `offset` of the webhook's partition goes to it:
    /// after its creation, up to and including the event that ended it (a
    /// namespace's deletion is told to the namespace's webhooks).
    public func isLive(at offset: Int64) -> Bool {
        position.offset < offset && (deletedOffset.map { offset <= $0 } ?? true)
    }
}

/// One delivery of an event to a webhook, with its latest attempt.
public struct WebhookDeliveryRecord: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Sent without success so far; retried.
        case pending
        case delivered, failed
    }

    public var id: UUID
    public var webhookID: UUID
    public var eventID: UUID
    public var eventType: String
    public var topic: WebhookTopic
    public var action: String
    /// The JSON body sent, which a redelivery sends again.
    public var body: String
    public var attempts: Int
    public var state: State
    public var statusCode: Int?
    /// How long the latest attempt took.
    public var durationMilliseconds: Int
    public var error: String?
    public var firstSentAt: Date
    public var lastSentAt: Date
    /// When the current handling began: the retry period counts from it.
    public var retrySince: Date
    /// When a pending delivery is tried next.
    public var nextAttemptAt: Date

    public init(
        id: UUID, webhookID: UUID, eventID: UUID, eventType: String, topic: WebhookTopic, action: String, body: String,
        attempts: Int, state: State, statusCode: Int?, durationMilliseconds: Int, error: String?, firstSentAt: Date,
        lastSentAt: Date, retrySince: Date, nextAttemptAt: Date
    ) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.topic = topic
        self.action = action
        self.body = body
        self.attempts = attempts
        self.state = state
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.error = error
        self.firstSentAt = firstSentAt
        self.lastSentAt = lastSentAt
        self.retrySince = retrySince
        self.nextAttemptAt = nextAttemptAt
    }
}

/// The webhooks of the read model and the dispatcher's delivery log.
public protocol WebhookRepository: Sendable {
    /// One webhook, live or deleted.
    func webhook(_ id: UUID) async throws -> WebhookRecord?

    /// The live webhooks of exactly `namespace`, oldest first.
    func webhooks(of namespace: NamespaceReference) async throws -> [WebhookRecord]

    /// The latest `limit` deliveries to a webhook, newest first.
    func deliveries(of webhookID: UUID, limit: Int) async throws -> [WebhookDeliveryRecord]

    /// One delivery.
    func delivery(_ id: UUID) async throws -> WebhookDeliveryRecord?
}
