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
            completeImport(of: created, refusal: refusal, standsFor: facts.imageID, envelope)
        case .imageImportRequested(let request):
            refusal = refusalOfCreating(envelope, root: request.owner.flatMap { owner in
                request.namespace.map { NamespaceReference(path: $0.root, owner: owner) }
            }) ?? (imports.contains { $0.request.importID == request.importID }
                ? Refusal("import \(request.importID.uuidString.lowercased()) already exists") : nil)
            if refusal == nil {
                imports.append(ImportRecord(
                    request: request, requestedAt: envelope.time, requestedBy: envelope.actor.value,
                    requestedRole: envelope.actorRole, status: .queued))
            }
        case .imageImportFailed(let failure):
            let index = imports.firstIndex { $0.request.importID == failure.importID }
            refusal = AccessPolicy.refusal(
                ofFailing: failure, stored: index.map { imports[$0].request },
                settled: index.map { imports[$0].status != .queued } ?? false, subject: envelope.subject)
            if refusal == nil, let index {
                settleImport(at: index, .failed, imageID: nil, code: failure.code, message: failure.message, envelope)
            }
        case .imageDeleted(let deleted):
            refusal = delete(deleted, envelope)
        case .imageStatusChanged(let change):
            refusal = changeStatus(change, envelope)
        case .collaboratorAdded(let change), .collaboratorRemoved(let change):
            refusal = changeCollaborators(change, envelope)
        case .namespaceUpdated(let update):
            refusal = updateNamespace(update, envelope)
        case .namespaceDeleted(let deleted):
            refusal = deleteNamespace(deleted, envelope)
            if refusal == nil {
                endWebhooks(at: position, envelope) {
                    $0.created.owner == deleted.owner && $0.created.path.lineage.contains(deleted.path)
                }
            }
        case .inviteSent(let invite):
            refusal = sendInvite(invite, envelope)
        case .inviteAccepted(let invite), .inviteRejected(let invite):
            refusal = answerInvite(invite, envelope)
        case .webhookCreated(let created):
            refusal = createWebhook(created, envelope, at: position)
        case .webhookDeleted(let deleted):
            refusal = changeWebhook(deleted.webhookID, owner: deleted.owner, envelope)
            if refusal == nil { endWebhooks(at: position, envelope) { $0.created.webhookID == deleted.webhookID } }
        case .webhookRedeliveryRequested(let request):
            refusal = changeWebhook(request.webhookID, owner: request.owner, envelope)
        case .quotaSet(let quota):
            refusal = AccessPolicy.refusal(ofSetting: quota, subject: envelope.subject, viewer: envelope.actorViewer)
            if refusal == nil {
                let key = InMemoryReadModel.QuotaKey(owner: quota.owner, root: quota.root)
                quotas[key] = quota.maxBytes == nil && quota.maxVersions == nil ? nil : quota
            }
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
        let (index, stored, rootCollaborators) = storedImage(deleted.imageID)
        if let refusal = AccessPolicy.refusal(
            ofDeleting: deleted.imageID, stored: stored, subject: envelope.subject, viewer: envelope.actorViewer,
            rootCollaborators: rootCollaborators)
        {
            return refusal
        }
        if let index { images[index].deletedAt = envelope.time }
        return nil
    }

    /// Marks a version deprecated or revoked, or clears both (restored).
    private mutating func changeStatus(_ change: ImageStatusChange, _ envelope: EventEnvelope) -> Refusal? {
        let (index, stored, rootCollaborators) = storedImage(change.imageID)
        if let refusal = AccessPolicy.refusal(
            ofChanging: change, stored: stored, subject: envelope.subject, viewer: envelope.actorViewer,
            rootCollaborators: rootCollaborators)
        {
            return refusal
        }
        guard let index else { return nil }
        switch change.kind {
        case .deprecated:
            images[index].deprecation = Deprecation(
                since: envelope.time, reason: change.reason ?? "", replacement: change.replacement)
        case .revoked:
            images[index].revocation = Revocation(effectiveAt: change.effectiveAt ?? envelope.time, reason: change.reason ?? "")
        case .restored:
            images[index].deprecation = nil
            images[index].revocation = nil
        }
        return nil
    }

    /// Where the image is, what the access rules know of it, and the
    /// collaborators of its namespace's root.
    private func storedImage(_ id: UUID) -> (index: Int?, stored: StoredImage?, rootCollaborators: Set<Username>) {
        let index = images.firstIndex { $0.id == id }
        let image = index.map { images[$0] }
        let root = image.flatMap { image in image.namespace.map { NamespaceReference(path: $0.path.root, owner: $0.owner) } }
        return (
            index,
            image.map { StoredImage(owner: $0.owner, namespace: $0.namespacePath, isDeleted: $0.deletedAt != nil) },
            root.flatMap { collaborators[$0] } ?? []
        )
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
        if let fallback = update.revokedFallback { namespaces[reference]?.revokedFallback = fallback }
        if let retention = update.retention { namespaces[reference]?.retention = retention.isEmpty ? nil : retention }
        return nil
    }

    /// Removes the namespace with every one below it and their live image
    /// versions; a root's collaborators go too.
    private mutating func deleteNamespace(_ deleted: NamespaceDeleted, _ envelope: EventEnvelope) -> Refusal? {
        let reference = NamespaceReference(path: deleted.path, owner: deleted.owner)
        if let refusal = AccessPolicy.refusal(
            ofDeleting: deleted, exists: namespaces[reference] != nil, subject: envelope.subject,
            viewer: envelope.actorViewer)
        {
            return refusal
        }
        let inSubtree = { (path: NamespacePath) in path.lineage.contains(deleted.path) }
        for index in images.indices where images[index].owner == deleted.owner && images[index].deletedAt == nil {
            if let path = images[index].namespacePath, inSubtree(path) { images[index].deletedAt = envelope.time }
        }
        namespaces = namespaces.filter { key, _ in key.owner != deleted.owner || !inSubtree(key.path) }
        collaborators[reference] = nil
        invites.removeAll { $0.invitation.owner == deleted.owner && $0.invitation.root == deleted.path }
        return nil
    }

    private mutating func sendInvite(_ invite: Invitation, _ envelope: EventEnvelope) -> Refusal? {
        let root = NamespaceReference(path: invite.root, owner: invite.owner)
        let pending = invites.filter { $0.invitation.owner == invite.owner && $0.invitation.root == invite.root }
            .filter { $0.state == .pending }.map(\.invitation.username)
        let facts = AccessPolicy.InviteFacts(
            rootExists: namespaces[root] != nil, collaborators: collaborators[root] ?? [],
            pendingInvitees: Set(pending), idTaken: invites.contains { $0.invitation.inviteID == invite.inviteID })
        if let refusal = AccessPolicy.refusal(
            ofSending: invite, facts: facts, subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return refusal
        }
        invites.append(InviteRecord(
            invitation: invite, invitedBy: envelope.actor.value, sentAt: envelope.time, state: .pending))
        return nil
    }

    /// `invite-accepted` (which makes a collaborator) or `invite-rejected`.
    private mutating func answerInvite(_ invite: Invitation, _ envelope: EventEnvelope) -> Refusal? {
        let accepting = envelope.type == .inviteAccepted
        let index = invites.firstIndex { $0.invitation.inviteID == invite.inviteID }
        if let refusal = AccessPolicy.refusal(
            ofAnswering: invite, accepting: accepting,
            stored: index.map { StoredInvite(invitation: invites[$0].invitation, state: invites[$0].state) },
            subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return refusal
        }
        guard let index else { return nil }
        invites[index].state = accepting ? .accepted : .rejected
        invites[index].answeredBy = envelope.actor.value
        invites[index].answeredAt = envelope.time
        if accepting {
            collaborators[NamespaceReference(path: invite.root, owner: invite.owner), default: []].insert(invite.username)
        }
        return nil
    }

    private mutating func createWebhook(_ created: WebhookCreated, _ envelope: EventEnvelope, at position: LogPosition)
        -> Refusal?
    {
        if let refusal = AccessPolicy.refusal(
            ofCreating: created,
            namespaceExists: namespaces[NamespaceReference(path: created.path, owner: created.owner)] != nil,
            idTaken: webhooks.contains { $0.created.webhookID == created.webhookID }, subject: envelope.subject,
            viewer: envelope.actorViewer)
        {
            return refusal
        }
        webhooks.append(WebhookRecord(
            created: created, createdAt: envelope.time, createdBy: envelope.actor.value, position: position))
        return nil
    }

    /// Ends the live webhooks `which` picks at `position`.
    private mutating func endWebhooks(
        at position: LogPosition, _ envelope: EventEnvelope, which: (WebhookRecord) -> Bool
    ) {
        for index in webhooks.indices where webhooks[index].deletedOffset == nil && which(webhooks[index]) {
            webhooks[index].deletedOffset = position.offset
            webhooks[index].deletedAt = envelope.time
        }
    }

    private func changeWebhook(_ id: UUID, owner: Username, _ envelope: EventEnvelope) -> Refusal? {
        let stored = webhooks.first { $0.created.webhookID == id }.map {
            StoredWebhook(owner: $0.created.owner, path: $0.created.path, isDeleted: $0.deletedOffset != nil)
        }
        return AccessPolicy.refusal(
            ofChangingWebhook: id, owner: owner, stored: stored, subject: envelope.subject, viewer: envelope.actorViewer)
    }

    /// Ends the queued import `created` names, when it asked for that image.
    private mutating func completeImport(
        of created: ImageCreated, refusal: Refusal?, standsFor: UUID?, _ envelope: EventEnvelope
    ) {
        guard let importID = created.importID,
            let index = imports.firstIndex(where: { $0.request.importID == importID }),
            imports[index].status == .queued, imports[index].request.source == created.source,
            imports[index].request.owner == created.owner, imports[index].request.namespace == created.namespace,
            imports[index].request.name == created.name
        else { return }
        if let refusal {
            settleImport(
                at: index, .failed, imageID: nil, code: ImportFailureCode.refused.rawValue, message: refusal.reason,
                envelope)
        } else {
            settleImport(at: index, .done, imageID: standsFor ?? created.imageID, code: nil, message: nil, envelope)
        }
    }

    private mutating func settleImport(
        at index: Int, _ status: ImportRecord.Status, imageID: UUID?, code: String?, message: String?,
        _ envelope: EventEnvelope
    ) {
        imports[index].status = status
        imports[index].imageID = imageID
        imports[index].errorCode = code
        imports[index].errorMessage = message
        imports[index].settledAt = envelope.time
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
