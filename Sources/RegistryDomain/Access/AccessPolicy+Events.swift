import Foundation

/// Why the fold refuses an event's change. The event stays in the audit
/// trail with this reason; the read model is not changed.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// What the fold knows about an image when it decides on its deletion.
public struct StoredImage: Sendable, Equatable {
    public var owner: Username?
    public var namespace: NamespacePath?
    public var isDeleted: Bool

    public init(owner: Username?, namespace: NamespacePath?, isDeleted: Bool) {
        self.owner = owner
        self.namespace = namespace
        self.isDeleted = isDeleted
    }
}

/// The rules the fold applies to each event, with the state at the event's
/// own log position: the same rules ingest checks on its (possibly stale)
/// read, so the log decides and a replay decides the same.
///
/// An event must also be keyed by the owner whose state it changes: the
/// fold reads only that owner's state, which only that owner's partition
/// writes, so every decision depends on earlier records of one partition.
extension AccessPolicy {
    /// `namespace-created` and `image-created`. `rootCollaborators` are the
    /// collaborators of the root of the namespace concerned (none for
    /// personal and base images).
    public static func refusal(
        ofCreating event: RegistryEvent, subject: String, viewer: Viewer, rootCollaborators: Set<Username>
    ) -> Refusal? {
        switch event {
        case .namespaceCreated(let created):
            return wrongKey(subject, owner: created.owner.value)
                ?? treeRefusal(owner: created.owner, root: created.path.root, viewer: viewer, rootCollaborators)
        case .imageCreated(let created):
            return refusal(
                ofAddingImageOf: created.owner, in: created.namespace, subject: subject, viewer: viewer, rootCollaborators)
        case .imageImportRequested(let request):
            return refusal(
                ofAddingImageOf: request.owner, in: request.namespace, subject: subject, viewer: viewer, rootCollaborators)
        case .namespaceUpdated, .namespaceDeleted, .imageResolved, .imageDeleted, .collaboratorAdded, .collaboratorRemoved,
            .inviteSent, .inviteAccepted, .inviteRejected, .webhookCreated, .webhookDeleted, .webhookRedeliveryRequested,
            .imageImportFailed, .imageStatusChanged, .quotaSet:
            return nil
        }
    }

    /// An image version of `owner` (none: a base image) in `namespace`, or
    /// a request to download one: who may add it is who may upload it.
    private static func refusal(
        ofAddingImageOf owner: Username?, in namespace: NamespacePath?, subject: String, viewer: Viewer,
        _ rootCollaborators: Set<Username>
    ) -> Refusal? {
        guard let owner else {
            return wrongKey(subject, owner: EventEnvelope.baseImagesKey)
                ?? (canWrite(WriteTarget.base, viewer: viewer) ? nil : Refusal("only administrators add base images"))
        }
        if let refusal = wrongKey(subject, owner: owner.value) { return refusal }
        guard let namespace else {
            return canWrite(WriteTarget.personal(owner: owner), viewer: viewer)
                ? nil : Refusal("\(name(of: viewer)) may not add personal images of \(owner.value)")
        }
        return treeRefusal(owner: owner, root: namespace.root, viewer: viewer, rootCollaborators)
    }

    /// `image-import-failed` of the import whose request is `stored` (`nil`:
    /// no such import), already `settled` or not. Only the import's own
    /// outcome ends it, once; the requester is the actor.
    public static func refusal(
        ofFailing failure: ImageImportFailed, stored request: ImageImportRequested?, settled: Bool, subject: String
    ) -> Refusal? {
        let id = failure.importID.uuidString.lowercased()
        guard let request else { return Refusal("import \(id) does not exist") }
        if let refusal = wrongKey(subject, owner: request.owner?.value ?? EventEnvelope.baseImagesKey) { return refusal }
        return settled ? Refusal("import \(id) has already ended") : nil
    }

    /// `image-deleted` of `image` (`nil`: no such image).
    public static func refusal(
        ofDeleting imageID: UUID, stored image: StoredImage?, subject: String, viewer: Viewer,
        rootCollaborators: Set<Username>
    ) -> Refusal? {
        refusal(of: "delete", imageID, stored: image, subject: subject, viewer: viewer, rootCollaborators)
    }

    /// `image-deprecated`, `image-revoked` and `image-restored` of `image`
    /// (`nil`: no such image): who may delete a version may retire it.
    public static func refusal(
        ofChanging change: ImageStatusChange, stored image: StoredImage?, subject: String, viewer: Viewer,
        rootCollaborators: Set<Username>
    ) -> Refusal? {
        refusal(of: change.kind.verb, change.imageID, stored: image, subject: subject, viewer: viewer, rootCollaborators)
    }

    private static func refusal(
        of verb: String, _ imageID: UUID, stored image: StoredImage?, subject: String, viewer: Viewer,
        _ rootCollaborators: Set<Username>
    ) -> Refusal? {
        guard let image else { return Refusal("image \(imageID.uuidString.lowercased()) does not exist") }
        if let refusal = wrongKey(subject, owner: image.owner?.value ?? EventEnvelope.baseImagesKey) { return refusal }
        guard !image.isDeleted else { return Refusal("image \(imageID.uuidString.lowercased()) is already deleted") }
        let allowed = switch (image.owner, image.namespace) {
        case (nil, _): canDelete(ImagePlacement.base, viewer: viewer)
        case (let owner?, nil): canDelete(ImagePlacement.personal(owner: owner), viewer: viewer)
        case (let owner?, _?): canWrite(treeOf: owner, rootCollaborators: rootCollaborators, viewer: viewer)
        }
        return allowed ? nil : Refusal("\(name(of: viewer)) may not \(verb) image \(imageID.uuidString.lowercased())")
    }

    /// `quota-set`: administrators only, keyed by the owner it caps.
    public static func refusal(ofSetting quota: QuotaSet, subject: String, viewer: Viewer) -> Refusal? {
        if let refusal = wrongKey(subject, owner: quota.owner.value) { return refusal }
        return viewer.isAdministrator ? nil : Refusal("only administrators set quotas")
    }

    /// `collaborator-added` and `collaborator-removed`; `rootExists` says
    /// whether the root namespace exists at the event's position.
    public static func refusal(
        ofChanging change: CollaboratorChanged, rootExists: Bool, subject: String, viewer: Viewer
    ) -> Refusal? {
        ownersRefusal(
            of: change.owner, path: change.root, exists: rootExists, subject: subject, viewer: viewer,
            doing: "manages its collaborators")
    }

    /// `namespace-updated`; `exists` says whether the namespace exists at
    /// the event's position. Only the owner (or an administrator) changes a
    /// namespace: collaborators may add to a tree, not change who sees it.
    public static func refusal(
        ofUpdating update: NamespaceUpdated, exists: Bool, subject: String, viewer: Viewer
    ) -> Refusal? {
        ownersRefusal(
            of: update.owner, path: update.path, exists: exists, subject: subject, viewer: viewer, doing: "changes it")
    }

    /// `namespace-deleted`; `exists` says whether the namespace exists at
    /// the event's position. Only the owner (or an administrator) deletes a
    /// namespace, with everything in and below it.
    public static func refusal(
        ofDeleting deleted: NamespaceDeleted, exists: Bool, subject: String, viewer: Viewer
    ) -> Refusal? {
        ownersRefusal(
            of: deleted.owner, path: deleted.path, exists: exists, subject: subject, viewer: viewer, doing: "deletes it")
    }

    /// What only the owner of an existing namespace (or an administrator)
    /// may do, keyed by that owner.
    static func ownersRefusal(
        of owner: Username, path: NamespacePath, exists: Bool, subject: String, viewer: Viewer, doing action: String
    ) -> Refusal? {
        let namespace = "\(path.value)@\(owner.value)"
        if let refusal = wrongKey(subject, owner: owner.value) { return refusal }
        guard exists else { return Refusal("namespace \(namespace) does not exist") }
        guard viewer.isAdministrator || viewer.username == owner else {
            return Refusal("only the owner of \(namespace) \(action)")
        }
        return nil
    }

    private static func treeRefusal(
        owner: Username, root: NamespacePath, viewer: Viewer, _ rootCollaborators: Set<Username>
    ) -> Refusal? {
        canWrite(treeOf: owner, rootCollaborators: rootCollaborators, viewer: viewer)
            ? nil
            : Refusal("\(name(of: viewer)) is not the owner or a collaborator of \(root.value)@\(owner.value)")
    }

    static func wrongKey(_ subject: String, owner: String) -> Refusal? {
        subject == owner ? nil : Refusal("the event is keyed by \(subject), not by \(owner), whose state it changes")
    }

    private static func name(of viewer: Viewer) -> String {
        viewer.username?.value ?? "an anonymous caller"
    }
}
