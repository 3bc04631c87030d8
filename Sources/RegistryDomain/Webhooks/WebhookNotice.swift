import Crypto
import Foundation

/// What a webhook is told about one applied event, as Djinn CI tells it:
/// the topic (`X-Djinn-CI-Event`), the action, and the namespace it
/// concerns, whose webhooks and whose ancestors' webhooks receive it.
public struct WebhookNotice: Sendable, Equatable {
    public var topic: WebhookTopic
    public var action: String
    public var namespace: NamespaceReference

    public init(topic: WebhookTopic, action: String, namespace: NamespaceReference) {
        self.topic = topic
        self.action = action
        self.namespace = namespace
    }

    /// The notice of `event`, or `nil` when no webhook hears of it
    /// (resolutions, collaborator and webhook changes, personal and base
    /// images). An `image-deleted`, `image-deprecated`, `image-revoked` or
    /// `image-restored` names only the image: `imageNamespace` is the
    /// namespace the image was in, when it was in one.
    public init?(_ event: RegistryEvent, imageNamespace: NamespaceReference? = nil) {
        switch event {
        case .imageCreated(let created):
            guard let owner = created.owner, let path = created.namespace else { return nil }
            self.init(topic: .images, action: "created", namespace: NamespaceReference(path: path, owner: owner))
        case .imageDeleted:
            guard let imageNamespace else { return nil }
            self.init(topic: .images, action: "deleted", namespace: imageNamespace)
        case .imageStatusChanged(let change):
            guard let imageNamespace else { return nil }
            self.init(topic: .images, action: change.kind.rawValue, namespace: imageNamespace)
        case .namespaceCreated(let created):
            self.init(topic: .namespaces, action: "created", namespace: NamespaceReference(path: created.path, owner: created.owner))
        case .namespaceUpdated(let updated):
            self.init(topic: .namespaces, action: "updated", namespace: NamespaceReference(path: updated.path, owner: updated.owner))
        case .namespaceDeleted(let deleted):
            self.init(topic: .namespaces, action: "deleted", namespace: NamespaceReference(path: deleted.path, owner: deleted.owner))
        case .inviteSent(let invite), .inviteAccepted(let invite), .inviteRejected(let invite):
            let action = switch event {
            case .inviteSent: "sent"
            case .inviteAccepted: "accepted"
            default: "rejected"
            }
            self.init(topic: .invites, action: action, namespace: NamespaceReference(path: invite.root, owner: invite.owner))
        case .imageResolved, .collaboratorAdded, .collaboratorRemoved, .webhookCreated, .webhookDeleted,
            .webhookRedeliveryRequested, .imageImportRequested, .imageImportFailed, .quotaSet:
            return nil
        }
    }

    /// Whether a webhook on `path` of the same owner, for `topics`, hears
    /// of this: it covers its namespace and every namespace below.
    public func reaches(path: NamespacePath, topics: [WebhookTopic]) -> Bool {
        topics.contains(topic) && namespace.path.lineage.contains(path)
    }
}

/// The signature and identity of deliveries, as Djinn CI signs them.
public enum WebhookSignature {
    /// `X-Djinn-CI-Signature`: `sha256=` and the hex HMAC-SHA256 of `body`
    /// keyed with the webhook's secret.
    public static func header(body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + Hex.encode(code)
    }

    /// The delivery id of `eventID` to `webhookID`: the same every time, so
    /// a delivery sent again after a crash carries the id it had.
    public static func deliveryID(webhookID: UUID, eventID: UUID) -> UUID {
        EventID.derived(from: "delivery\u{0}\(webhookID.uuidString.lowercased())\u{0}\(eventID.uuidString.lowercased())")
    }
}
