import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Applies decoded events to the read model: the deterministic fold.
///
/// Everything an event changes depends only on the event and on events
/// before it in the same partition, so replaying the topic from offset 0
/// into empty tables yields the same rows, however the records are split
/// into batches. That includes the fold's own permission checks
/// (``AccessPolicy/refusal(ofCreating:subject:viewer:rootCollaborators:)``
/// and its siblings): an event its actor may not cause at its position is
/// refused, kept in the audit trail with the reason, and changes nothing else.
enum EventApplier {
    /// One decoded record of a batch.
    struct Entry {
        let position: LogPosition
        let envelope: EventEnvelope
        /// The record's value (the event's data, JSON) as it is in the log.
        let data: [UInt8]
    }

    /// Applies the events of one batch, in log order. Returns how many were
    /// applied for the first time (refused ones included) and the entries
    /// that reuse the id of another event, with the reason, to dead-letter.
    ///
    /// One statement records every event id; ids seen before, in this batch
    /// or earlier, change nothing: a producer retry repeats an event exactly,
    /// while the same id with another type or data is not that event. Runs of events whose changes commute
    /// (namespaces and images created, resolutions) are decided and written
    /// together (``CommutingRun``). Deletions, namespace changes and
    /// collaborator changes, which depend on what precedes them, are decided and applied one by
    /// one between runs. One statement writes every audit entry.
    static func apply(_ entries: [Entry], on connection: PostgresConnection, logger: Logger) async throws
        -> (applied: Int, conflicting: [(Entry, String)])
    {
        let (fresh, conflicting) = try await recordFirstApplications(of: entries, on: connection, logger: logger)
        var audit = AuditLog()
        var run = CommutingRun()
        for entry in fresh {
            audit.record(entry)
            switch entry.envelope.event {
            case .namespaceCreated:
                run.append(entry)
            case .imageCreated(let created):
                run.append(entry)
                if created.importID != nil {
                    // The import ends with the image's own decision.
                    try await run.flush(into: &audit, on: connection, logger: logger)
                    try await ImportFold.complete(created, entry: entry, audit: audit, on: connection, logger: logger)
                }
            case .imageImportRequested(let request):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await ImportFold.request(request, entry: entry, audit: &audit, on: connection, logger: logger)
            case .imageImportFailed(let failure):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await ImportFold.fail(failure, entry: entry, audit: &audit, on: connection, logger: logger)
            case .imageResolved:
                break  // recorded in the audit trail only
            case .imageDeleted(let deleted):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await delete(deleted, entry: entry, audit: &audit, on: connection, logger: logger)
            case .imageStatusChanged(let change):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await changeStatus(change, entry: entry, audit: &audit, on: connection, logger: logger)
            case .collaboratorAdded(let change), .collaboratorRemoved(let change):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await changeCollaborators(change, entry: entry, audit: &audit, on: connection, logger: logger)
            case .namespaceUpdated(let update):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await updateNamespace(update, entry: entry, audit: &audit, on: connection, logger: logger)
            case .namespaceDeleted(let deleted):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await deleteNamespace(deleted, entry: entry, audit: &audit, on: connection, logger: logger)
            case .inviteSent(let invite):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await InviteFold.send(invite, entry: entry, audit: &audit, on: connection, logger: logger)
            case .inviteAccepted(let invite), .inviteRejected(let invite):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await InviteFold.answer(invite, entry: entry, audit: &audit, on: connection, logger: logger)
            case .webhookCreated(let created):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await WebhookFold.create(created, entry: entry, audit: &audit, on: connection, logger: logger)
            case .webhookDeleted(let deleted):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await WebhookFold.delete(deleted, entry: entry, audit: &audit, on: connection, logger: logger)
            case .quotaSet(let quota):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await setQuota(quota, entry: entry, audit: &audit, on: connection, logger: logger)
            case .webhookRedeliveryRequested(let request):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await WebhookFold.checkRedelivery(request, entry: entry, audit: &audit, on: connection, logger: logger)
            }
        }
        try await run.flush(into: &audit, on: connection, logger: logger)
        try await audit.write(on: connection, logger: logger)
        return (fresh.count, conflicting)
    }

    private static func delete(
        _ deleted: ImageDeleted, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let stored = try await FoldState.image(deleted.imageID, on: connection, logger: logger)
        if let refusal = AccessPolicy.refusal(
            ofDeleting: deleted.imageID, stored: stored?.image, subject: envelope.subject,
            viewer: envelope.actorViewer, rootCollaborators: stored?.rootCollaborators ?? [])
        {
            return audit.reject(entry, refusal)
        }
        try await connection.query(
            "UPDATE images SET deleted_at = \(envelope.time) WHERE id = \(deleted.imageID)", logger: logger)
    }

    /// Replaces the quota of the scope, or removes it (neither limit).
    private static func setQuota(
        _ quota: QuotaSet, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let envelope = entry.envelope
        if let refusal = AccessPolicy.refusal(ofSetting: quota, subject: envelope.subject, viewer: envelope.actorViewer) {
            return audit.reject(entry, refusal)
        }
        let (owner, root) = (quota.owner.value, quota.root?.value ?? "")
        try await connection.query("DELETE FROM quotas WHERE owner = \(owner) AND root_path = \(root)", logger: logger)
        guard quota.maxBytes != nil || quota.maxVersions != nil else { return }
        try await connection.query(
            """
            INSERT INTO quotas (owner, root_path, max_bytes, max_versions, set_at, event_id)
            VALUES (\(owner), \(root), \(quota.maxBytes), \(quota.maxVersions), \(envelope.time), \(envelope.id))
            """, logger: logger)
    }

    /// Marks a version deprecated or revoked, or clears both (restored).
    private static func changeStatus(
        _ change: ImageStatusChange, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let stored = try await FoldState.image(change.imageID, on: connection, logger: logger)
        if let refusal = AccessPolicy.refusal(
            ofChanging: change, stored: stored?.image, subject: envelope.subject, viewer: envelope.actorViewer,
            rootCollaborators: stored?.rootCollaborators ?? [])
        {
            return audit.reject(entry, refusal)
        }
        let id = change.imageID
        switch change.kind {
        case .deprecated:
            try await connection.query(
                """
                UPDATE images SET deprecated_at = \(envelope.time), deprecation_reason = \(change.reason),
                                  replacement = \(change.replacement)
                WHERE id = \(id)
                """, logger: logger)
        case .revoked:
            try await connection.query(
                """
                UPDATE images SET revoked_at = \(change.effectiveAt ?? envelope.time), revocation_reason = \(change.reason)
                WHERE id = \(id)
                """, logger: logger)
        case .restored:
            try await connection.query(
                """
                UPDATE images SET deprecated_at = NULL, deprecation_reason = NULL, replacement = NULL,
                                  revoked_at = NULL, revocation_reason = NULL
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    /// A new visibility for the namespace and every namespace below it, a
    /// new description for the namespace alone.
    private static func updateNamespace(
        _ update: NamespaceUpdated, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let (owner, path) = (update.owner.value, update.path.value)
        let exists = try await FoldState.namespaceExists(owner: owner, path: path, on: connection, logger: logger)
        if let refusal = AccessPolicy.refusal(
            ofUpdating: update, exists: exists, subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return audit.reject(entry, refusal)
        }
        if let visibility = update.visibility {
            try await connection.query(
                """
                UPDATE namespaces SET visibility = \(visibility.rawValue)
                WHERE owner = \(owner) AND (path = \(path) OR starts_with(path, \(path + "/")))
                """, logger: logger)
        }
        if let description = update.description {
            try await connection.query(
                "UPDATE namespaces SET description = \(description) WHERE owner = \(owner) AND path = \(path)",
                logger: logger)
        }
        if let fallback = update.revokedFallback {
            try await connection.query(
                "UPDATE namespaces SET revoked_fallback = \(fallback) WHERE owner = \(owner) AND path = \(path)",
                logger: logger)
        }
        if let retention = update.retention {
            let policy = retention.isEmpty ? nil : String(decoding: try JSONEncoder().encode(retention), as: UTF8.self)
            try await connection.query(
                "UPDATE namespaces SET retention = \(policy)::jsonb WHERE owner = \(owner) AND path = \(path)",
                logger: logger)
        }
    }

    /// Removes the namespace and every namespace below it, deletes every
    /// live image version in them, and, for a root, its collaborators and
    /// invites; their webhooks end.
    private static func deleteNamespace(
        _ deleted: NamespaceDeleted, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let (owner, path) = (deleted.owner.value, deleted.path.value)
        let exists = try await FoldState.namespaceExists(owner: owner, path: path, on: connection, logger: logger)
        if let refusal = AccessPolicy.refusal(
            ofDeleting: deleted, exists: exists, subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return audit.reject(entry, refusal)
        }
        try await connection.query(
            """
            UPDATE images SET deleted_at = \(envelope.time)
            WHERE owner = \(owner) AND deleted_at IS NULL
              AND (namespace_path = \(path) OR starts_with(namespace_path, \(path + "/")))
            """, logger: logger)
        try await connection.query(
            "DELETE FROM namespaces WHERE owner = \(owner) AND (path = \(path) OR starts_with(path, \(path + "/")))",
            logger: logger)
        try await connection.query(
            "DELETE FROM collaborators WHERE owner = \(owner) AND root_path = \(path)", logger: logger)
        try await connection.query(
            "DELETE FROM invites WHERE owner = \(owner) AND root_path = \(path)", logger: logger)
        try await WebhookFold.endWebhooks(of: owner, below: path, entry: entry, on: connection, logger: logger)
    }

    private static func changeCollaborators(
        _ change: CollaboratorChanged, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let root = FoldState.Root(owner: change.owner.value, path: change.root.value)
        if let refusal = AccessPolicy.refusal(
            ofChanging: change, rootExists: try await FoldState.exists(root, on: connection, logger: logger),
            subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return audit.reject(entry, refusal)
        }
        if case .collaboratorAdded = envelope.event {
            try await connection.query(
                """
                INSERT INTO collaborators (owner, root_path, username, added_at, event_id)
                VALUES (\(root.owner), \(root.path), \(change.username.value), \(envelope.time), \(envelope.id))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        } else {
            try await connection.query(
                """
                DELETE FROM collaborators
                WHERE owner = \(root.owner) AND root_path = \(root.path) AND username = \(change.username.value)
                """, logger: logger)
        }
    }

    /// Records the event ids of `entries`; returns the entries applied for
    /// the first time, in log order, and those whose id an event with other
    /// content had, with the reason.
    private static func recordFirstApplications(
        of entries: [Entry], on connection: PostgresConnection, logger: Logger
    ) async throws -> (fresh: [Entry], conflicting: [(Entry, String)]) {
        var first: [UUID: Entry] = [:]
        var unique: [Entry] = []
        var conflicting: [(Entry, String)] = []
        for entry in entries {
            guard let earlier = first[entry.envelope.id] else {
                first[entry.envelope.id] = entry
                unique.append(entry)
                continue
            }
            if earlier.envelope.type != entry.envelope.type || earlier.data != entry.data {
                conflicting.append((entry, reusedID(entry, appliedAt: earlier.position)))
            }
        }
        guard !unique.isEmpty else { return ([], conflicting) }
        let firstTime = try await connection.query(
            """
            INSERT INTO applied_events (event_id, log_partition, log_offset)
            SELECT * FROM unnest(\(unique.map(\.envelope.id))::uuid[], \(unique.map(\.position.partition))::integer[],
                                 \(unique.map(\.position.offset))::bigint[])
            ON CONFLICT (event_id) DO NOTHING RETURNING event_id
            """, logger: logger)
        var fresh = Set<UUID>()
        for try await id in firstTime.decode(UUID.self) { fresh.insert(id) }
        let seenBefore = unique.filter { !fresh.contains($0.envelope.id) }
        conflicting += try await differingFromApplied(seenBefore, on: connection, logger: logger)
        return (unique.filter { fresh.contains($0.envelope.id) }, conflicting)
    }

    /// Those of `entries` (ids applied in earlier batches) whose type or data
    /// differ from the applied event's.
    private static func differingFromApplied(
        _ entries: [Entry], on connection: PostgresConnection, logger: Logger
    ) async throws -> [(Entry, String)] {
        guard !entries.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT applied.event_id, applied.log_partition, applied.log_offset
            FROM unnest(\(entries.map(\.envelope.id)), \(entries.map(\.envelope.type.rawValue)),
                        \(entries.map { String(decoding: $0.data, as: UTF8.self) })) AS entry(event_id, type, data)
            JOIN audit_events applied ON applied.event_id = entry.event_id
            WHERE applied.type <> entry.type OR applied.data <> entry.data::jsonb
            """, logger: logger)
        var differing: [UUID: LogPosition] = [:]
        for try await (id, partition, offset) in rows.decode((UUID, Int32, Int64).self) {
            differing[id] = LogPosition(partition: partition, offset: offset)
        }
        return entries.compactMap { entry in
            differing[entry.envelope.id].map { (entry, reusedID(entry, appliedAt: $0)) }
        }
    }

    private static func reusedID(_ entry: Entry, appliedAt position: LogPosition) -> String {
        "event id \(entry.envelope.id.uuidString.lowercased()) was applied before, at \(position), with other content"
    }
}
