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

    /// Applies the events of one batch, in log order, and returns how many
    /// were applied for the first time (refused ones included).
    ///
    /// One statement records every event id; ids seen before, in this batch
    /// or earlier, change nothing. Runs of events whose changes commute
    /// (namespaces and images created, resolutions) are decided and written
    /// together (``CommutingRun``). Deletions and collaborator changes,
    /// which depend on what precedes them, are decided and applied one by
    /// one between runs. One statement writes every audit entry.
    static func apply(_ entries: [Entry], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let fresh = try await recordFirstApplications(of: entries, on: connection, logger: logger)
        var audit = AuditLog()
        var run = CommutingRun()
        for entry in fresh {
            audit.record(entry)
            switch entry.envelope.event {
            case .namespaceCreated, .imageCreated:
                run.append(entry)
            case .imageResolved:
                break  // recorded in the audit trail only
            case .imageDeleted(let deleted):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await delete(deleted, entry: entry, audit: &audit, on: connection, logger: logger)
            case .collaboratorAdded(let change), .collaboratorRemoved(let change):
                try await run.flush(into: &audit, on: connection, logger: logger)
                try await changeCollaborators(change, entry: entry, audit: &audit, on: connection, logger: logger)
            }
        }
        try await run.flush(into: &audit, on: connection, logger: logger)
        try await audit.write(on: connection, logger: logger)
        return fresh.count
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

    /// Records the event ids of `entries` and returns the entries applied
    /// for the first time, in log order.
    private static func recordFirstApplications(
        of entries: [Entry], on connection: PostgresConnection, logger: Logger
    ) async throws -> [Entry] {
        var seen = Set<UUID>()
        let unique = entries.filter { seen.insert($0.envelope.id).inserted }
        guard !unique.isEmpty else { return [] }
        let firstTime = try await connection.query(
            """
            INSERT INTO applied_events (event_id, log_partition, log_offset)
            SELECT * FROM unnest(\(unique.map(\.envelope.id))::uuid[], \(unique.map(\.position.partition))::integer[],
                                 \(unique.map(\.position.offset))::bigint[])
            ON CONFLICT (event_id) DO NOTHING RETURNING event_id
            """, logger: logger)
        var fresh = Set<UUID>()
        for try await id in firstTime.decode(UUID.self) { fresh.insert(id) }
        return unique.filter { fresh.contains($0.envelope.id) }
    }
}
