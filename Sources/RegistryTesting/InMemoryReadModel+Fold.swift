import Foundation
import ReadModel
import RegistryDomain

/// The fold of ``InMemoryReadModel``: one event at a time, in log order.
extension InMemoryReadModel.State {
    mutating func fold(_ envelope: EventEnvelope, at position: LogPosition, data: [UInt8]) {
        var facts = AuditFacts(envelope.event, subject: envelope.subject)
        let refusal: Refusal?
        switch envelope.event {
        case .namespaceCreated(let created):
            refusal = refusalOfCreating(envelope, root: NamespaceReference(path: created.path.root, owner: created.owner))
            if refusal == nil { ensure(created.path, owner: created.owner, visibility: created.visibility, envelope) }
        case .imageCreated(let created):
            let root = created.owner.flatMap { owner in
                created.namespace.map { NamespaceReference(path: $0.root, owner: owner) }
            }
            refusal = refusalOfCreating(envelope, root: root)
            if refusal == nil, let standsFor = create(created, envelope) { facts.imageID = standsFor }
        case .imageDeleted(let deleted):
            refusal = delete(deleted, envelope)
        case .collaboratorAdded(let change), .collaboratorRemoved(let change):
            refusal = changeCollaborators(change, envelope)
        case .namespaceUpdated(let update):
            refusal = updateNamespace(update, envelope)
        case .imageResolved:
            refusal = nil
        }
        audit.append(AuditEntry(
            sequence: Int64(audit.count + 1), eventID: envelope.id, position: position, type: envelope.type.rawValue,
            occurredAt: envelope.time, actor: envelope.actor.value, requestID: envelope.requestID,
            data: String(decoding: data, as: UTF8.self), rejected: refusal?.reason, imageID: facts.imageID))
        auditFilings.append(InMemoryReadModel.AuditFiling(facts: facts, subject: envelope.subject))
    }

    private func refusalOfCreating(_ envelope: EventEnvelope, root: NamespaceReference?) -> Refusal? {
        AccessPolicy.refusal(
            ofCreating: envelope.event, subject: envelope.subject, viewer: envelope.actorViewer,
            rootCollaborators: root.flatMap { collaborators[$0] } ?? [])
    }

    /// Creates `path` and its missing ancestors: a missing namespace takes
    /// its parent's visibility, the leaf the one asked for, a missing root
    /// without either is private.
    private mutating func ensure(
        _ path: NamespacePath, owner: Username, visibility: Visibility?, _ envelope: EventEnvelope
    ) {
        for namespace in path.lineage {
            let reference = NamespaceReference(path: namespace, owner: owner)
            guard namespaces[reference] == nil else { continue }
            let parent = namespace.parent.flatMap { namespaces[NamespaceReference(path: $0, owner: owner)] }
            let chosen = (namespace == path ? visibility : nil) ?? parent?.visibility ?? visibility ?? .private
            namespaces[reference] = NamespaceRecord(
                reference: reference, visibility: chosen, createdAt: envelope.time, createdBy: envelope.actor.value)
        }
    }

    /// Makes a version unless the bytes already are the newest live one;
    /// returns the version the event stands for when it made none.
    private mutating func create(_ created: ImageCreated, _ envelope: EventEnvelope) -> UUID? {
        if let owner = created.owner, let path = created.namespace {
            ensure(path, owner: owner, visibility: nil, envelope)
        }
        let name = ImageVersioning.Name(created)
        let sameName = images.filter { ImageVersioning.Name($0) == name }
        let newestLive = sameName.filter { $0.deletedAt == nil }.max { $0.version < $1.version }
        var versioning = ImageVersioning(
            stored: [name: ImageVersioning.Stored(
                highestVersion: sameName.map(\.version).max() ?? 0,
                newestLive: newestLive.map { ($0.id, $0.sha256.hex) })],
            existingIDs: Set(images.map(\.id)))
        switch versioning.decide(created) {
        case .newVersion(let version):
            images.append(ImageRecord(
                id: created.imageID, source: created.source, owner: created.owner, namespacePath: created.namespace,
                name: created.name, version: version, driver: created.driver, location: created.location,
                sha256: created.sha256, size: created.size, createdAt: envelope.time,
                createdBy: envelope.actor.value, deletedAt: nil, verified: created.verified))
            return nil
        case .unchanged(let sameAs):
            return sameAs
        case .existingID:
            return nil
        }
    }

    private mutating func delete(_ deleted: ImageDeleted, _ envelope: EventEnvelope) -> Refusal? {
        let index = images.firstIndex { $0.id == deleted.imageID }
        let image = index.map { images[$0] }
        let root = image.flatMap { image in image.namespace.map { NamespaceReference(path: $0.path.root, owner: $0.owner) } }
        if let refusal = AccessPolicy.refusal(
            ofDeleting: deleted.imageID,
            stored: image.map { StoredImage(owner: $0.owner, namespace: $0.namespacePath, isDeleted: $0.deletedAt != nil) },
            subject: envelope.subject, viewer: envelope.actorViewer,
            rootCollaborators: root.flatMap { collaborators[$0] } ?? [])
        {
            return refusal
        }
        if let index { images[index].deletedAt = envelope.time }
        return nil
    }

    /// A new visibility for the namespace and every one below it, a new
    /// description for the namespace alone.
    private mutating func updateNamespace(_ update: NamespaceUpdated, _ envelope: EventEnvelope) -> Refusal? {
        let reference = NamespaceReference(path: update.path, owner: update.owner)
        if let refusal = AccessPolicy.refusal(
            ofUpdating: update, exists: namespaces[reference] != nil, subject: envelope.subject,
            viewer: envelope.actorViewer)
        {
            return refusal
        }
        if let visibility = update.visibility {
            for (key, record) in namespaces
            where key.owner == update.owner && record.reference.path.lineage.contains(update.path) {
                namespaces[key]?.visibility = visibility
            }
        }
        if let description = update.description { namespaces[reference]?.description = description }
        return nil
    }

    private mutating func changeCollaborators(_ change: CollaboratorChanged, _ envelope: EventEnvelope) -> Refusal? {
        let root = NamespaceReference(path: change.root, owner: change.owner)
        if let refusal = AccessPolicy.refusal(
            ofChanging: change, rootExists: namespaces[root] != nil, subject: envelope.subject,
            viewer: envelope.actorViewer)
        {
            return refusal
        }
        if case .collaboratorAdded = envelope.event {
            collaborators[root, default: []].insert(change.username)
        } else {
            collaborators[root]?.remove(change.username)
        }
        return nil
    }
}

extension ImageVersioning.Name {
    init(_ image: ImageRecord) {
        self.init(owner: image.owner?.value ?? "", namespacePath: image.namespacePath?.value ?? "", name: image.name)
    }
}
