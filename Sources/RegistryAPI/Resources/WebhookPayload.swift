import Foundation

/// The JSON body of a webhook delivery. Headers say the rest:
/// `X-Djinn-CI-Event` (`images`, `namespaces`, `invites`),
/// `X-Djinn-CI-Delivery` (the delivery's id, the same on every attempt) and,
/// for a webhook with a secret, `X-Djinn-CI-Signature`
/// (`sha256=<HMAC-SHA256 of this body>`).
public struct WebhookPayload: Codable, Sendable, Equatable {
    /// The event as the audit trail names it.
    public struct Event: Codable, Sendable, Equatable {
        public var id: UUID
        public var type: String
        public var time: Date
        public var actor: String
        /// `partition:offset` in the event log.
        public var position: String

        public init(id: UUID, type: String, time: Date, actor: String, position: String) {
            self.id = id
            self.type = type
            self.time = time
            self.actor = actor
            self.position = position
        }
    }

    /// `created`, `deleted`, `updated`, `sent`, `accepted`, `rejected`, and
    /// for images also `deprecated`, `revoked`, `restored`.
    public var action: String
    /// The namespace concerned, `path@owner`.
    public var namespace: String
    public var event: Event
    /// The event's data, as the log holds it.
    public var data: JSONValue
    /// For image events, the version as the read model shows it.
    public var image: ImageResource?

    public init(action: String, namespace: String, event: Event, data: JSONValue, image: ImageResource?) {
        self.action = action
        self.namespace = namespace
        self.event = event
        self.data = data
        self.image = image
    }
}
