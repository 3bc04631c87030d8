import Foundation
import ReadModel
import RegistryDomain

/// The repositories' questions, answered from ``InMemoryReadModel/State``
/// with ``AccessPolicy`` deciding visibility, as the SQL does.
extension InMemoryReadModel {
    public func resolve(_ plan: ResolutionPlan, for user: Username) async throws -> Resolution? {
        state.withLock { state in
            let live = state.images.filter { $0.deletedAt == nil && (plan.digest == nil || $0.sha256 == plan.digest) }
            // In a namespace that falls back, a revoked version ranks after every other.
            let fallback = Set(state.namespaces.values.filter(\.revokedFallback).map(\.reference))
            let fallsBack = { (image: ImageRecord) in
                image.revocation?.isEffective() == true && image.namespace.map(fallback.contains) == true
            }
            for step in plan.steps {
                let found: ImageRecord? = switch step {
                case .namespace(let namespace, let name):
                    live.filter {
                        $0.namespace == namespace && $0.name == name.value
                            && state.canSee($0, viewer: Viewer(username: user))
                    }.max { (fallsBack($0) ? 0 : 1, $0.version) < (fallsBack($1) ? 0 : 1, $1.version) }
                case .personal(let owner, let name):
                    live.filter { $0.owner == owner && $0.namespacePath == nil && $0.name == name.value }
                        .max { $0.version < $1.version }
                case .ownedNamespaces(let owner, let name):
                    live.filter { $0.owner == owner && $0.namespacePath != nil && $0.name == name.value }
                        .min { fallsBack($0) != fallsBack($1) ? !fallsBack($0) : Self.newerInOwnedNamespaces($0, than: $1) }
                case .base(let name):
                    live.filter { $0.source == .base && $0.name == name.value }.max { $0.version < $1.version }
                }
                if let found { return found.resolution }
            }
            return nil
        }
    }

    /// The order of the owned-namespaces step: newest first, then by path, then highest version.
    private static func newerInOwnedNamespaces(_ left: ImageRecord, than right: ImageRecord) -> Bool {
        if left.createdAt != right.createdAt { return left.createdAt > right.createdAt }
        let (leftPath, rightPath) = (left.namespacePath?.value ?? "", right.namespacePath?.value ?? "")
        if leftPath != rightPath { return leftPath < rightPath }
        return left.version > right.version
    }

    public func image(id: UUID) async throws -> ImageRecord? {
        state.withLock { $0.images.first { $0.id == id } }
    }

    public func images(_ filter: ImageListFilter, viewer: Viewer) async throws -> [ImageRecord] {
        state.withLock { state in
            state.images
                .filter { image in
                    (image.deletedAt == nil || filter.includeDeleted)
                        && (filter.namespace == nil || image.namespace == filter.namespace)
                        && (filter.search.map { image.name.localizedCaseInsensitiveContains($0) } ?? true)
                        && (filter.after.map { Self.ordered($0, before: image.id) } ?? true)
                        && (!filter.newestOnly || !state.images.contains { newer in
                            newer.owner == image.owner && newer.namespacePath == image.namespacePath
                                && newer.name == image.name && newer.version > image.version && newer.deletedAt == nil
                        })
                        && state.canSee(image, viewer: viewer)
                }
                .sorted { Self.ordered($0.id, before: $1.id) }
                .prefix(filter.limit)
                .map { $0 }
        }
    }

    /// PostgreSQL's order of UUIDs: by their bytes, which is their lowercase text's order.
    private static func ordered(_ left: UUID, before right: UUID) -> Bool {
        left.uuidString.lowercased() < right.uuidString.lowercased()
    }

    public func mayRead(digest: SHA256Digest, viewer: Viewer) async throws -> Bool {
        state.withLock { state in
            state.images.contains { image in
                image.sha256 == digest
                    && (image.createdBy == viewer.username?.value
                        || (image.deletedAt == nil && state.canSee(image, viewer: viewer)))
            }
        }
    }

    public func namespace(_ reference: NamespaceReference) async throws -> NamespaceRecord? {
        state.withLock { $0.namespaces[reference] }
    }

    public func namespaceAccess(_ reference: NamespaceReference) async throws -> NamespaceAccess? {
        state.withLock { $0.access(reference) }
    }

    public func namespaces(_ filter: NamespaceListFilter, viewer: Viewer) async throws -> [NamespaceRecord] {
        state.withLock { state in
            state.namespaces.values
                .filter { namespace in
                    let (owner, path) = (namespace.reference.owner.value, namespace.reference.path.value)
                    return (filter.owner == nil || namespace.reference.owner == filter.owner)
                        && (filter.after.map { (owner, path) > ($0.owner, $0.path) } ?? true)
                        && state.access(namespace.reference).map { AccessPolicy.canSee($0, viewer: viewer) } ?? false
                }
                .sorted { ($0.reference.owner.value, $0.reference.path.value) < ($1.reference.owner.value, $1.reference.path.value) }
                .prefix(filter.limit)
                .map { $0 }
        }
    }

    public func invite(_ id: UUID) async throws -> InviteRecord? {
        state.withLock { $0.invites.first { $0.invitation.inviteID == id } }
    }

    public func pendingInvites(to username: Username) async throws -> [InviteRecord] {
        state.withLock { $0.invites.filter { $0.state == .pending && $0.invitation.username == username } }
    }

    public func pendingInvites(of root: NamespaceReference) async throws -> [InviteRecord] {
        state.withLock { state in
            state.invites.filter { invite in
                invite.state == .pending && invite.invitation.owner == root.owner
                    && invite.invitation.root == root.path.root
            }
        }
    }

    public func webhook(_ id: UUID) async throws -> WebhookRecord? {
        state.withLock { $0.webhooks.first { $0.created.webhookID == id } }
    }

    public func webhooks(of namespace: NamespaceReference) async throws -> [WebhookRecord] {
        state.withLock { state in
            state.webhooks.filter { webhook in
                webhook.deletedOffset == nil && webhook.created.owner == namespace.owner
                    && webhook.created.path == namespace.path
            }
        }
    }

    public func deliveries(of webhookID: UUID, limit: Int) async throws -> [WebhookDeliveryRecord] {
        state.withLock { state in
            Array(state.webhookDeliveries.filter { $0.webhookID == webhookID }.reversed().prefix(limit))
        }
    }

    public func delivery(_ id: UUID) async throws -> WebhookDeliveryRecord? {
        state.withLock { $0.webhookDeliveries.first { $0.id == id } }
    }

    public func importRecord(_ id: UUID) async throws -> ImportRecord? {
        state.withLock { $0.imports.first { $0.request.importID == id } }
    }

    public func imports(of username: Username, before: ImportRecord.Key?, limit: Int) async throws -> [ImportRecord] {
        state.withLock { state in
            let newestFirst = state.imports.filter { $0.requestedBy == username.value || $0.request.owner == username }
                .sorted { ($0.requestedAt, $0.request.importID.uuidString) > ($1.requestedAt, $1.request.importID.uuidString) }
            return Array(newestFirst.filter { record in
                guard let before else { return true }
                return (record.requestedAt, record.request.importID.uuidString) < (before.requestedAt, before.id.uuidString)
            }.prefix(limit))
        }
    }

    public func appliedEvents(ids: [UUID]) async throws -> [UUID: AuditEntry] {
        let wanted = Set(ids)
        return state.withLock { state in
            Dictionary(state.audit.filter { wanted.contains($0.eventID) }.map { ($0.eventID, $0) }) { first, _ in first }
        }
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        state.withLock { state in
            zip(state.audit, state.auditFilings)
                .filter { entry, filing in
                    let facts = filing.facts
                    return (filter.type.map { $0.rawValue == entry.type } ?? true)
                        && (filter.namespace.map { $0 == facts.namespace } ?? true)
                        && (filter.imageID.map { $0 == entry.imageID } ?? true)
                        && (filter.buildID.map { $0 == facts.buildID } ?? true)
                        && (filter.user.map { $0 == facts.username } ?? true)
                        && (filter.since.map { entry.occurredAt >= $0 } ?? true)
                        && (filter.until.map { entry.occurredAt < $0 } ?? true)
                        && (filter.visibleTo.map { $0 == facts.username || $0 == entry.actor || $0 == filing.subject } ?? true)
                        && (filter.after.map { entry.sequence > $0 } ?? true)
                }
                .prefix(filter.limit)
                .map(\.0)
        }
    }

    public func deadLetters(after: LogPosition?, limit: Int) async throws -> [DeadLetter] {
        state.withLock { state in
            state.deadLetters
                .filter { letter in
                    after.map { (letter.position.partition, letter.position.offset) > ($0.partition, $0.offset) } ?? true
                }
                .sorted { ($0.position.partition, $0.position.offset) < ($1.position.partition, $1.position.offset) }
                .prefix(limit)
                .map { $0 }
        }
    }
}

extension InMemoryReadModel.State {
    func access(_ reference: NamespaceReference) -> NamespaceAccess? {
        namespaces[reference].map { namespace in
            NamespaceAccess(
                owner: reference.owner, visibility: namespace.visibility,
                collaborators: collaborators[NamespaceReference(path: reference.path.root, owner: reference.owner)] ?? [])
        }
    }

    func canSee(_ image: ImageRecord, viewer: Viewer) -> Bool {
        guard let owner = image.owner else { return image.source == .base }
        guard let namespace = image.namespace else { return AccessPolicy.canSee(.personal(owner: owner), viewer: viewer) }
        return access(namespace).map { AccessPolicy.canSee(.namespace($0), viewer: viewer) } ?? false
    }
}

extension InMemoryReadModel {
    public func retentionCandidates(in target: RetentionTarget) async throws -> [RetentionCandidate] {
        state.withLock { state in
            let builds = zip(state.audit, state.auditFilings).compactMap { entry, filing -> (UUID, Date, Bool)? in
                guard entry.type == EventType.imageResolved.rawValue, entry.rejected == nil, let id = entry.imageID,
                    case .imageResolved(let resolved)? = try? CloudEventsCodec.decodeData(
                        type: .imageResolved, from: Array(entry.data.utf8)),
                    resolved.refusal == nil
                else { return nil }
                return (id, entry.occurredAt, resolved.image.contains("@sha256:"))
            }
            return state.images.filter { $0.owner == target.owner && $0.namespacePath == target.namespacePath && $0.deletedAt == nil }.map { image in
                let used = builds.filter { $0.0 == image.id }
                return RetentionCandidate(
                    imageID: image.id, name: image.name, version: image.version, createdAt: image.createdAt,
                    lastResolved: used.map(\.1).max(), lastPinned: used.filter(\.2).map(\.1).max())
            }
        }
    }
}

extension InMemoryReadModel {
    public func quotas(owner: Username, roots: [NamespacePath?]) async throws -> [QuotaSet] {
        state.withLock { state in roots.compactMap { state.quotas[QuotaKey(owner: owner, root: $0)] } }
    }

    /// Open upload sessions are another fake's: none count in flight here.
    public func usage(owner: Username, root: NamespacePath?, excludingSession: UUID?) async throws -> QuotaUsage {
        state.withLock { state in
            let scope = state.images.filter { Self.inScope($0, owner: owner, root: root) }
            let stored = Dictionary(scope.map { ($0.sha256, $0.size) }, uniquingKeysWith: { first, _ in first })
            return QuotaUsage(
                logicalBytes: scope.reduce(0) { $0 + $1.size }, physicalBytes: stored.values.reduce(0, +),
                versions: scope.count, inFlightBytes: 0)
        }
    }

    public func holds(_ digest: SHA256Digest, owner: Username, root: NamespacePath?) async throws -> Bool {
        state.withLock { state in
            state.images.contains { $0.sha256 == digest && Self.inScope($0, owner: owner, root: root) }
        }
    }

    private static func inScope(_ image: ImageRecord, owner: Username, root: NamespacePath?) -> Bool {
        guard image.owner == owner, image.deletedAt == nil else { return false }
        guard let root else { return true }
        return image.namespacePath?.root == root
    }
}
