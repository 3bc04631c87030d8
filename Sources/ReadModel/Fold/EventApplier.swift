import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Applies decoded events to the read model: the deterministic fold.
///
/// Everything an event changes depends only on the event and on events
/// before it in the same partition, so replaying the topic from offset 0
/// into empty tables yields the same rows, however the records are split
/// into batches.
enum EventApplier {
    /// One decoded record of a batch.
    struct Entry {
        let position: LogPosition
        let envelope: EventEnvelope
        /// The record's value (the event's data, JSON) as it is in the log.
        let data: [UInt8]
    }

    /// Applies the events of one batch, in log order, and returns how many
    /// were applied for the first time.
    ///
    /// One statement records every event id; ids seen before, in this batch
    /// or earlier, change nothing. Runs of events whose changes commute
    /// (namespaces and images created, resolutions) are written together:
    /// one statement per namespace depth and one for all image versions.
    /// Deletions and collaborator changes, which depend on what precedes
    /// them, are applied one by one between runs. One statement writes every
    /// audit entry.
    static func apply(_ entries: [Entry], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let fresh = try await recordFirstApplications(of: entries, on: connection, logger: logger)
        var audit = AuditLog()
        var run = CommutingRun()
        for entry in fresh {
            audit.record(entry)
            let envelope = entry.envelope
            switch envelope.event {
            case .namespaceCreated(let created):
                run.ensureNamespace(
                    owner: created.owner.value, path: created.path, leafVisibility: created.visibility, envelope: envelope)
            case .imageCreated(let created):
                if let owner = created.owner, let path = created.namespace {
                    run.ensureNamespace(owner: owner.value, path: path, leafVisibility: nil, envelope: envelope)
                }
                run.createImage(created, envelope: envelope)
            case .imageResolved:
                break  // recorded in the audit trail only
            case .imageDeleted(let deleted):
                try await run.flush(on: connection, logger: logger)
                try await connection.query(
                    "UPDATE images SET deleted_at = \(envelope.time) WHERE id = \(deleted.imageID) AND deleted_at IS NULL",
                    logger: logger)
            case .collaboratorAdded(let change):
                try await run.flush(on: connection, logger: logger)
                try await connection.query(
                    """
                    INSERT INTO collaborators (owner, root_path, username, added_at, event_id)
                    VALUES (\(change.owner.value), \(change.root.value), \(change.username.value), \(envelope.time),
                            \(envelope.id))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            case .collaboratorRemoved(let change):
                try await run.flush(on: connection, logger: logger)
                try await connection.query(
                    """
                    DELETE FROM collaborators
                    WHERE owner = \(change.owner.value) AND root_path = \(change.root.value)
                      AND username = \(change.username.value)
                    """, logger: logger)
            }
        }
        try await run.flush(on: connection, logger: logger)
        try await audit.write(on: connection, logger: logger)
        return fresh.count
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

/// The changes of consecutive events that give the same rows whether
/// applied one by one or together: namespaces are created by their first
/// mention, image versions are numbered in log order, and neither reads
/// anything the other kinds of event change.
struct CommutingRun {
    private var namespaces = NamespaceFold()
    private var images = ImageFold()

    mutating func ensureNamespace(owner: String, path: NamespacePath, leafVisibility: Visibility?, envelope: EventEnvelope) {
        namespaces.ensure(owner: owner, path: path, leafVisibility: leafVisibility, envelope: envelope)
    }

    mutating func createImage(_ created: ImageCreated, envelope: EventEnvelope) {
        images.create(created, envelope: envelope)
    }

    /// Writes the run, namespaces first (images never read them, but a
    /// reader of the committed batch expects an image's namespace to
    /// exist), and starts an empty one: an event that depends on what
    /// precedes it is applied next.
    mutating func flush(on connection: PostgresConnection, logger: Logger) async throws {
        try await namespaces.write(on: connection, logger: logger)
        try await images.write(on: connection, logger: logger)
        self = CommutingRun()
    }
}
