import Foundation
import RegistryDomain

/// One image version as the read model holds it.
public struct ImageRecord: Sendable, Equatable {
    public var id: UUID
    public var source: ImageSource
    /// `nil` for base images.
    public var owner: Username?
    /// `nil` for personal and base images.
    public var namespacePath: NamespacePath?
    public var name: String
    public var version: Int
    public var driver: Driver
    public var location: ImageLocation
    public var sha256: SHA256Digest
    public var size: Int64
    public var createdAt: Date
    public var createdBy: String
    public var deletedAt: Date?
    /// Whether the registry checked the bytes itself (see ``ImageCreated/verified``).
    public var verified: Bool
    public var deprecation: Deprecation?
    public var revocation: Revocation?

    public init(
        id: UUID, source: ImageSource, owner: Username?, namespacePath: NamespacePath?, name: String, version: Int,
        driver: Driver, location: ImageLocation, sha256: SHA256Digest, size: Int64, createdAt: Date,
        createdBy: String, deletedAt: Date?, verified: Bool, deprecation: Deprecation? = nil,
        revocation: Revocation? = nil
    ) {
        self.id = id
        self.source = source
        self.owner = owner
        self.namespacePath = namespacePath
        self.name = name
        self.version = version
        self.driver = driver
        self.location = location
        self.sha256 = sha256
        self.size = size
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.deletedAt = deletedAt
        self.verified = verified
        self.deprecation = deprecation
        self.revocation = revocation
    }

    /// The image's namespace, or `nil` for personal and base images.
    public var namespace: NamespaceReference? {
        guard let namespacePath, let owner else { return nil }
        return NamespaceReference(path: namespacePath, owner: owner)
    }

    /// What resolving to this version answers.
    public var resolution: Resolution {
        Resolution(
            imageID: id, name: name, namespace: namespace?.description, source: source, version: version,
            sha256: sha256, size: size, location: location, verified: verified, deprecation: deprecation,
            revocation: revocation)
    }
}

/// A namespace as the read model holds it.
public struct NamespaceRecord: Sendable, Equatable {
    public var reference: NamespaceReference
    public var visibility: Visibility
    public var createdAt: Date
    public var createdBy: String
    /// Empty when the owner gave none.
    public var description: String
    /// Whether a by-name lookup whose newest version is revoked gets the
    /// newest version that is not (see ``NamespaceUpdated/revokedFallback``).
    public var revokedFallback: Bool
    /// The retention policy; `nil`: every version is kept.
    public var retention: RetentionPolicy?

    public init(
        reference: NamespaceReference, visibility: Visibility, createdAt: Date, createdBy: String,
        description: String = "", revokedFallback: Bool = false, retention: RetentionPolicy? = nil
    ) {
        self.reference = reference
        self.visibility = visibility
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.description = description
        self.revokedFallback = revokedFallback
        self.retention = retention
    }
}

/// One entry of the audit trail: an applied event and where it was read.
public struct AuditEntry: Sendable, Equatable {
    /// The entry's place in the audit trail (``AuditFilter/after``).
    public var sequence: Int64
    public var eventID: UUID
    public var position: LogPosition
    public var type: String
    public var occurredAt: Date
    public var actor: String
    public var requestID: String?
    /// The event's data, as JSON text.
    public var data: String
    /// Why the fold refused the event, which then changed nothing; `nil`
    /// when it was applied.
    public var rejected: String?
    /// The image the event concerns. For an `image-created` whose bytes
    /// already were the newest version of its name, that version's image,
    /// not the unused id in the event's data.
    public var imageID: UUID?

    public init(
        sequence: Int64, eventID: UUID, position: LogPosition, type: String, occurredAt: Date, actor: String,
        requestID: String?, data: String, rejected: String?, imageID: UUID?
    ) {
        self.sequence = sequence
        self.eventID = eventID
        self.position = position
        self.type = type
        self.occurredAt = occurredAt
        self.actor = actor
        self.requestID = requestID
        self.data = data
        self.rejected = rejected
        self.imageID = imageID
    }
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
    /// Entries after this sequence number (the previous page's last entry).
    public var after: Int64?
    public var limit: Int

    public init(
        type: EventType? = nil, namespace: String? = nil, imageID: UUID? = nil, buildID: String? = nil,
        user: String? = nil, since: Date? = nil, until: Date? = nil, visibleTo: String? = nil,
        after: Int64? = nil, limit: Int = 100
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

/// Which images to list. `nil` fields do not filter.
public struct ImageListFilter: Sendable, Equatable {
    /// Only images of exactly this namespace.
    public var namespace: NamespaceReference?
    /// Part of the name, matched literally and case-insensitively.
    public var search: String?
    /// Images after this id (the previous page's last).
    public var after: UUID?
    public var limit: Int
    /// Whether deleted versions are listed too (their history: an image's page).
    public var includeDeleted: Bool
    /// Only the newest live version of each image (a name in one place).
    public var newestOnly: Bool

    public init(
        namespace: NamespaceReference? = nil, search: String? = nil, after: UUID? = nil, limit: Int = 100,
        includeDeleted: Bool = false, newestOnly: Bool = false
    ) {
        self.namespace = namespace
        self.search = search
        self.after = after
        self.limit = limit
        self.includeDeleted = includeDeleted
        self.newestOnly = newestOnly
    }
}

/// Which namespaces to list.
public struct NamespaceListFilter: Sendable {
    public var owner: Username?
    /// Namespaces after this (owner, path) pair (the previous page's last).
    public var after: (owner: String, path: String)?
    public var limit: Int

    public init(owner: Username? = nil, after: (owner: String, path: String)? = nil, limit: Int = 100) {
        self.owner = owner
        self.after = after
        self.limit = limit
    }
}

/// A record the projection could not apply, kept with its bytes.
public struct DeadLetter: Sendable, Equatable {
    /// One record header, name and value as bytes.
    public struct Header: Sendable, Equatable {
        public var name: [UInt8]
        public var value: [UInt8]

        public init(name: [UInt8], value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    public var position: LogPosition
    public var key: [UInt8]
    /// The record's headers, in record order.
    public var headers: [Header]
    public var value: [UInt8]
    public var reason: String
    public var recordedAt: Date

    public init(position: LogPosition, key: [UInt8], headers: [Header], value: [UInt8], reason: String, recordedAt: Date) {
        self.position = position
        self.key = key
        self.headers = headers
        self.value = value
        self.reason = reason
        self.recordedAt = recordedAt
    }
}
