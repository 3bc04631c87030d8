/// The kinds of fact the registry records. The raw value is the CloudEvents
/// `type` attribute (`ce_type` header).
public enum EventType: String, Codable, Sendable, CaseIterable {
    case namespaceCreated = "namespace-created"
    case namespaceUpdated = "namespace-updated"
    case namespaceDeleted = "namespace-deleted"
    case imageCreated = "image-created"
    case imageResolved = "image-resolved"
    case imageDeleted = "image-deleted"
    case imageDeprecated = "image-deprecated"
    case imageRevoked = "image-revoked"
    case imageRestored = "image-restored"
    case imageImportRequested = "image-import-requested"
    case imageImportFailed = "image-import-failed"
    case collaboratorAdded = "collaborator-added"
    case collaboratorRemoved = "collaborator-removed"
    case inviteSent = "invite-sent"
    case inviteAccepted = "invite-accepted"
    case inviteRejected = "invite-rejected"
    case webhookCreated = "webhook-created"
    case webhookDeleted = "webhook-deleted"
    case webhookRedeliveryRequested = "webhook-redelivery-requested"
    case quotaSet = "quota-set"
}
