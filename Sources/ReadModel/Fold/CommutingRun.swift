import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Consecutive creations (namespaces and images) that give the same rows
/// whether applied one by one or together: namespaces are created by their
/// first mention, image versions are numbered in log order, and neither
/// reads anything the other changes.
///
/// Each creation is decided against the collaborators of its tree's root.
/// Within a run they cannot change (a collaborator change ends the run), so
/// one query at the end of the run loads every root's collaborators.
struct CommutingRun {
    private var pending: [EventApplier.Entry] = []

    mutating func append(_ entry: EventApplier.Entry) {
        pending.append(entry)
    }

    /// Decides every creation of the run, records refusals in `audit`,
    /// writes the rest (namespaces first: a reader of the committed batch
    /// expects an image's namespace to exist) and starts an empty run.
    mutating func flush(into audit: inout AuditLog, on connection: PostgresConnection, logger: Logger) async throws {
        guard !pending.isEmpty else { return }
        let collaborators = try await FoldState.collaborators(
            of: Set(pending.compactMap(Self.root)), on: connection, logger: logger)
        var namespaces = NamespaceFold()
        var images = ImageFold()
        for entry in pending {
            let envelope = entry.envelope
            let rootCollaborators = Self.root(of: entry).flatMap { collaborators[$0] } ?? []
            if let refusal = AccessPolicy.refusal(
                ofCreating: envelope.event, subject: envelope.subject, viewer: envelope.actorViewer,
                rootCollaborators: rootCollaborators)
            {
                audit.reject(entry, refusal)
                continue
            }
            switch envelope.event {
            case .namespaceCreated(let created):
                namespaces.ensure(
                    owner: created.owner.value, path: created.path, leafVisibility: created.visibility,
                    envelope: envelope)
            case .imageCreated(let created):
                if let owner = created.owner, let path = created.namespace {
                    namespaces.ensure(owner: owner.value, path: path, leafVisibility: nil, envelope: envelope)
                }
                images.create(created, envelope: envelope)
            case .namespaceUpdated, .namespaceDeleted, .imageResolved, .imageDeleted, .collaboratorAdded, .collaboratorRemoved,
                .inviteSent, .inviteAccepted, .inviteRejected, .webhookCreated, .webhookDeleted,
                .webhookRedeliveryRequested, .imageImportRequested, .imageImportFailed, .imageStatusChanged, .quotaSet:
                break  // never part of a run
            }
        }
        try await namespaces.write(on: connection, logger: logger)
        for (eventID, imageID) in try await images.write(on: connection, logger: logger) {
            audit.unchanged(eventID, standsFor: imageID)
        }
        pending = []
    }

    /// The root whose collaborators decide a creation, when one does.
    private static func root(of entry: EventApplier.Entry) -> FoldState.Root? {
        switch entry.envelope.event {
        case .namespaceCreated(let created):
            FoldState.Root(owner: created.owner.value, path: created.path.root.value)
        case .imageCreated(let created):
            created.owner.flatMap { owner in
                created.namespace.map { FoldState.Root(owner: owner.value, path: $0.root.value) }
            }
        case .namespaceUpdated, .namespaceDeleted, .imageResolved, .imageDeleted, .collaboratorAdded, .collaboratorRemoved,
                .inviteSent, .inviteAccepted, .inviteRejected, .webhookCreated, .webhookDeleted,
                .webhookRedeliveryRequested, .imageImportRequested, .imageImportFailed, .imageStatusChanged, .quotaSet:
            nil
        }
    }
}
