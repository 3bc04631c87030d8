import Foundation
import RegistryDomain

/// The answer of `GET /v1/retention/preview` (what a namespace's policy
/// would remove now, and why) and of `POST /v1/retention` (what it removed,
/// each with its `image-deleted` event).
public struct RetentionResource: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var imageID: UUID
        public var name: String
        public var version: Int
        public var reason: String
        public var event: EventReference?

        public init(_ removal: RetentionRemoval, event: EventReference? = nil) {
            imageID = removal.imageID
            name = removal.name
            version = removal.version
            reason = removal.reason
            self.event = event
        }

        enum CodingKeys: String, CodingKey {
            case imageID = "image_id"
            case name, version, reason, event
        }
    }

    /// `path@owner`; `nil` for a user's personal images.
    public var namespace: String?
    /// Whose personal images; `nil` for a namespace.
    public var user: String?
    /// `nil` when there is no policy (nothing goes).
    public var policy: RetentionPolicy?
    public var items: [Item]

    public init(target: RetentionTarget, policy: RetentionPolicy?, items: [Item]) {
        switch target {
        case .namespace(let namespace): (self.namespace, user) = (namespace.description, nil)
        case .personal(let owner): (namespace, user) = (nil, owner.value)
        }
        self.policy = policy
        self.items = items
    }
}
