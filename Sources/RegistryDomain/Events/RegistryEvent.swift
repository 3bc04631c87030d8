import Foundation

/// One fact with its data, as the registry records it.
public enum RegistryEvent: Sendable, Equatable {
    case namespaceCreated(NamespaceCreated)
    case namespaceUpdated(NamespaceUpdated)
    case namespaceDeleted(NamespaceDeleted)
    case imageCreated(ImageCreated)
    case imageResolved(ImageResolved)
    case imageDeleted(ImageDeleted)
    case imageStatusChanged(ImageStatusChange)
    case imageImportRequested(ImageImportRequested)
    case imageImportFailed(ImageImportFailed)
    case collaboratorAdded(CollaboratorChanged)
    case collaboratorRemoved(CollaboratorChanged)
    case inviteSent(Invitation)
    case inviteAccepted(Invitation)
    case inviteRejected(Invitation)
    case webhookCreated(WebhookCreated)
    case webhookDeleted(WebhookDeleted)
    case webhookRedeliveryRequested(WebhookRedeliveryRequested)
    case quotaSet(QuotaSet)

    /// The CloudEvents type of this fact.
    public var type: EventType {
        switch self {
        case .namespaceCreated: .namespaceCreated
        case .namespaceUpdated: .namespaceUpdated
        case .namespaceDeleted: .namespaceDeleted
        case .imageCreated: .imageCreated
        case .imageResolved: .imageResolved
        case .imageDeleted: .imageDeleted
        case .imageStatusChanged(let change): change.type
        case .imageImportRequested: .imageImportRequested
        case .imageImportFailed: .imageImportFailed
        case .collaboratorAdded: .collaboratorAdded
        case .collaboratorRemoved: .collaboratorRemoved
        case .inviteSent: .inviteSent
        case .inviteAccepted: .inviteAccepted
        case .inviteRejected: .inviteRejected
        case .webhookCreated: .webhookCreated
        case .webhookDeleted: .webhookDeleted
        case .webhookRedeliveryRequested: .webhookRedeliveryRequested
        case .quotaSet: .quotaSet
        }
    }
}

/// A fact with its CloudEvents attributes: who, when, where from, and the
/// partition key (the owner whose events must stay in order).
public struct EventEnvelope: Sendable, Equatable {
    /// Schema version written by this code; decoding accepts this and older.
    public static let currentSchemaVersion = 1
    /// Partition key for events that belong to no user (base images).
    public static let baseImagesKey = "@base"

    public var id: UUID
    public var source: String
    public var time: Date
    public var actor: Username
    /// The role the actor acted in; `nil` for records written before ingest
    /// recorded it, whose permission ingest alone decided.
    public var actorRole: ActorRole?
    /// The partition key: the owner of the namespace tree or personal image.
    public var subject: String
    public var schemaVersion: Int
    /// The HTTP request that caused the event, for log correlation.
    public var requestID: String?
    /// The trace of the request that recorded the event, when it was traced.
    public var traceContext: EventTraceContext?
    public var event: RegistryEvent

    public init(
        id: UUID = EventID.make(), source: String, time: Date = Date(), actor: Username,
        actorRole: ActorRole? = .user, subject: String, schemaVersion: Int = EventEnvelope.currentSchemaVersion, requestID: String? = nil,
        traceContext: EventTraceContext? = nil, event: RegistryEvent
    ) {
        self.id = id
        self.source = source
        self.time = EventTime.wholeMilliseconds(time)
        self.actor = actor
        self.actorRole = actorRole
        self.subject = subject
        self.schemaVersion = schemaVersion
        self.requestID = requestID
        self.traceContext = traceContext
        self.event = event
    }

    public var type: EventType { event.type }

    /// The actor as the access rules see it. An unrecorded role counts as an
    /// administrator's: such a record predates the fold's own checks, and
    /// ingest's decision stands.
    public var actorViewer: Viewer {
        Viewer(username: actor, isAdministrator: actorRole != .user)
    }
}
