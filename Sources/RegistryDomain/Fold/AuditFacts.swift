import Foundation

/// What the audit trail files an event under, so that it can be found by
/// user, namespace, image and build: the same for every read model.
public struct AuditFacts: Sendable, Equatable {
    public var username: String?
    public var namespace: String?
    public var imageName: String?
    public var imageID: UUID?
    public var buildID: String?

    public init(_ event: RegistryEvent, subject: String) {
        switch event {
        case .namespaceCreated(let created):
            username = created.owner.value
            namespace = "\(created.path.value)@\(created.owner.value)"
        case .namespaceUpdated(let updated):
            username = updated.owner.value
            namespace = "\(updated.path.value)@\(updated.owner.value)"
        case .namespaceDeleted(let deleted):
            username = deleted.owner.value
            namespace = "\(deleted.path.value)@\(deleted.owner.value)"
        case .imageCreated(let created):
            username = created.owner?.value
            namespace = created.namespace.flatMap { path in created.owner.map { "\(path.value)@\($0.value)" } }
            imageName = created.name
            imageID = created.imageID
        case .imageResolved(let resolved):
            username = resolved.user.value
            namespace = resolved.namespace
            imageName = resolved.image
            imageID = resolved.resolution?.imageID
            buildID = resolved.buildID
        case .imageDeleted(let deleted):
            imageID = deleted.imageID
            username = subject
        case .imageStatusChanged(let change):
            imageID = change.imageID
            username = subject == EventEnvelope.baseImagesKey ? nil : subject
        case .imageImportRequested(let request):
            username = request.owner?.value
            namespace = request.namespace.flatMap { path in request.owner.map { "\(path.value)@\($0.value)" } }
            imageName = request.name
        case .imageImportFailed:
            username = subject == EventEnvelope.baseImagesKey ? nil : subject
        case .collaboratorAdded(let change), .collaboratorRemoved(let change):
            username = change.username.value
            namespace = "\(change.root.value)@\(change.owner.value)"
        case .inviteSent(let invite), .inviteAccepted(let invite), .inviteRejected(let invite):
            username = invite.username.value
            namespace = "\(invite.root.value)@\(invite.owner.value)"
        case .webhookCreated(let created):
            username = created.owner.value
            namespace = "\(created.path.value)@\(created.owner.value)"
        case .webhookDeleted(let deleted):
            username = deleted.owner.value
            namespace = "\(deleted.path.value)@\(deleted.owner.value)"
        case .webhookRedeliveryRequested(let request):
            username = request.owner.value
        case .quotaSet(let quota):
            username = quota.owner.value
            namespace = quota.root.map { "\($0.value)@\(quota.owner.value)" }
        }
    }
}
