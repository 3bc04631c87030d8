import Foundation
import RegistryDomain

/// One image version as the read model holds it.
public struct ImageRecord: Sendable, Equatable {
    public var id: UUID
    public var source: ImageSource
    public var owner: String?
    public var namespacePath: String?
    public var name: String
    public var version: Int
    public var driver: String
    public var location: String
    public var sha256: String
    public var size: Int64
    public var createdAt: Date
    public var createdBy: String
    public var deletedAt: Date?

    /// The namespace as `path@owner`, or `nil` for personal and base images.
    public var namespaceReference: String? {
        guard let namespacePath, let owner else { return nil }
        return "\(namespacePath)@\(owner)"
    }
}

/// A namespace as the read model holds it.
public struct NamespaceRecord: Sendable, Equatable {
    public var owner: String
    public var path: String
    public var visibility: Visibility
    public var createdAt: Date
    public var createdBy: String
}

/// One entry of the audit trail: an applied event and where it was read.
public struct AuditEntry: Sendable, Equatable {
    public var eventID: UUID
    public var position: LogPosition
    public var type: String
    public var occurredAt: Date
    public var actor: String
    public var requestID: String?
    /// The event's data, as JSON text.
    public var data: String
}

/// Which audit entries to return. `nil` fields do not filter.
public struct AuditFilter: Sendable, Equatable {
    public var type: EventType?
    public var namespace: String?
    public var imageID: UUID?
    public var buildID: String?
    public var user: String?
    public var since: Date?
    public var until: Date?
    /// Only entries that concern this user (as actor, owner or build user); `nil` for everything.
    public var visibleTo: String?
    /// Entries after this event id (the previous page's last entry).
    public var after: UUID?
    public var limit: Int

    public init(
        type: EventType? = nil, namespace: String? = nil, imageID: UUID? = nil, buildID: String? = nil,
        user: String? = nil, since: Date? = nil, until: Date? = nil, visibleTo: String? = nil,
        after: UUID? = nil, limit: Int = 100
    ) {
        self.type = type
        self.namespace = namespace
        self.imageID = imageID
        self.buildID = buildID
        self.user = user
        self.since = since
        self.until = until
        self.visibleTo = visibleTo
        self.after = after
        self.limit = limit
    }
}
