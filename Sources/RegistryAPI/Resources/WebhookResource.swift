import Foundation

/// A namespace's webhook, as the API shows it: never its secret, only
/// whether it has one.
public struct WebhookResource: Codable, Sendable, Equatable {
    public var id: UUID
    /// The namespace, `path@owner`; deliveries cover it and every namespace below it.
    public var namespace: String
    public var url: String
    /// `images`, `namespaces`, `invites`.
    public var events: [String]
    public var active: Bool
    public var hasSecret: Bool
    public var createdAt: Date
    public var createdBy: String
    public var deletedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, namespace, url, events, active
        case hasSecret = "has_secret"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case deletedAt = "deleted_at"
    }

    public init(
        id: UUID, namespace: String, url: String, events: [String], active: Bool, hasSecret: Bool, createdAt: Date,
        createdBy: String, deletedAt: Date?
    ) {
        self.id = id
        self.namespace = namespace
        self.url = url
        self.events = events
        self.active = active
        self.hasSecret = hasSecret
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.deletedAt = deletedAt
    }
}

/// One delivery of an event to a webhook, with its latest attempt.
public struct WebhookDeliveryResource: Codable, Sendable, Equatable {
    public var id: UUID
    public var webhookID: UUID
    public var eventID: UUID
    public var eventType: String
    /// The `X-Djinn-CI-Event` sent: `images`, `namespaces`, `invites`.
    public var event: String
    public var action: String
    public var attempts: Int
    /// `delivered` or `failed`.
    public var state: String
    public var statusCode: Int?
    public var durationMilliseconds: Int
    public var error: String?
    public var firstSentAt: Date
    public var lastSentAt: Date

    enum CodingKeys: String, CodingKey {
        case id, event, action, attempts, state, error
        case webhookID = "webhook_id"
        case eventID = "event_id"
        case eventType = "event_type"
        case statusCode = "status_code"
        case durationMilliseconds = "duration_ms"
        case firstSentAt = "first_sent_at"
        case lastSentAt = "last_sent_at"
    }

    public init(
        id: UUID, webhookID: UUID, eventID: UUID, eventType: String, event: String, action: String, attempts: Int,
        state: String, statusCode: Int?, durationMilliseconds: Int, error: String?, firstSentAt: Date, lastSentAt: Date
    ) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.eventType = eventType
        self.event = event
        self.action = action
        self.attempts = attempts
        self.state = state
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.error = error
        self.firstSentAt = firstSentAt
        self.lastSentAt = lastSentAt
    }
}
