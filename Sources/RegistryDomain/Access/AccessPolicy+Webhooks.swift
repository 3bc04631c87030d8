import Foundation

/// What the fold knows about a webhook when it decides on a change to it.
public struct StoredWebhook: Sendable, Equatable {
    public var owner: Username
    public var path: NamespacePath
    public var isDeleted: Bool

    public init(owner: Username, path: NamespacePath, isDeleted: Bool) {
        self.owner = owner
        self.path = path
        self.isDeleted = isDeleted
    }
}

/// The fold's rules for webhooks: only the owner of a namespace (or an
/// administrator) adds, removes or redelivers its webhooks.
extension AccessPolicy {
    /// `webhook-created` on a namespace that exists (`namespaceExists`), with
    /// an id no webhook has (`idTaken`).
    public static func refusal(
        ofCreating created: WebhookCreated, namespaceExists: Bool, idTaken: Bool, subject: String, viewer: Viewer
    ) -> Refusal? {
        if let refusal = ownersRefusal(
            of: created.owner, path: created.path, exists: namespaceExists, subject: subject, viewer: viewer,
            doing: "manages its webhooks")
        {
            return refusal
        }
        return idTaken ? Refusal("webhook \(created.webhookID.uuidString.lowercased()) exists already") : nil
    }

    /// `webhook-deleted` (`redelivering` false) or
    /// `webhook-redelivery-requested` of the webhook the fold holds as
    /// `stored` (`nil`: none with that id), which must be live and the
    /// owner's.
    public static func refusal(
        ofChangingWebhook id: UUID, owner: Username, stored: StoredWebhook?, subject: String, viewer: Viewer
    ) -> Refusal? {
        if let refusal = wrongKey(subject, owner: owner.value) { return refusal }
        let name = "webhook \(id.uuidString.lowercased())"
        guard let stored, stored.owner == owner else { return Refusal("\(name) does not exist") }
        guard !stored.isDeleted else { return Refusal("\(name) is deleted") }
        guard viewer.isAdministrator || viewer.username == owner else {
            return Refusal("only the owner of \(stored.path.value)@\(owner.value) manages its webhooks")
        }
        return nil
    }
}
