import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Applies one decoded event to the read model: the deterministic fold.
///
/// Everything an event changes depends only on the event and on events
/// before it in the same partition, so replaying the topic from offset 0
/// into empty tables yields the same rows.
enum EventApplier {
    /// One decoded record of a batch.
    struct Entry {
        let position: LogPosition
        let envelope: EventEnvelope
    }

    /// Applies the events of one batch, in log order, in three kinds of
    /// statement: one records every event id (those seen before, in this
    /// batch or earlier, change nothing), one per event changes the rows it
    /// touches, and one writes every audit entry. Returns how many events
    /// were applied for the first time.
    static func apply(_ entries: [Entry], on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var seen = Set<UUID>()
        let unique = entries.filter { seen.insert($0.envelope.id).inserted }
        guard !unique.isEmpty else { return 0 }
        let firstTime = try await connection.query(
            """
            INSERT INTO applied_events (event_id, log_partition, log_offset)
            SELECT * FROM unnest(\(unique.map(\.envelope.id))::uuid[], \(unique.map(\.position.partition))::integer[],
                                 \(unique.map(\.position.offset))::bigint[])
            ON CONFLICT (event_id) DO NOTHING RETURNING event_id
            """, logger: logger)
        var fresh = Set<UUID>()
        for try await id in firstTime.decode(UUID.self) { fresh.insert(id) }

        var audit: [AuditRow] = []
        for entry in unique where fresh.contains(entry.envelope.id) {
            let facts = try await applyChange(entry.envelope, on: connection, logger: logger)
            audit.append(AuditRow(entry.envelope, position: entry.position, facts: facts))
        }
        try await recordAudit(audit, on: connection, logger: logger)
        return fresh.count
    }

    /// Changes the rows `envelope` touches; returns what its audit entry records.
    private static func applyChange(
        _ envelope: EventEnvelope, on connection: PostgresConnection, logger: Logger
    ) async throws -> AuditFacts {
        var audit = AuditFacts()
        switch envelope.event {
        case .namespaceCreated(let created):
            try await NamespaceFold.ensure(
                owner: created.owner.value, path: created.path, leafVisibility: created.visibility,
                envelope: envelope, on: connection, logger: logger)
            audit.username = created.owner.value
            audit.namespace = "\(created.path.value)@\(created.owner.value)"
        case .imageCreated(let created):
            try await applyImageCreated(created, envelope: envelope, on: connection, logger: logger)
            audit.username = created.owner?.value
            audit.namespace = created.namespace.flatMap { path in created.owner.map { "\(path.value)@\($0.value)" } }
            audit.imageName = created.name
            audit.imageID = created.imageID
        case .imageResolved(let resolved):
            audit.username = resolved.user.value
            audit.namespace = resolved.namespace
            audit.imageName = resolved.image
            audit.imageID = resolved.resolution?.imageID
            audit.buildID = resolved.buildID
        case .imageDeleted(let deleted):
            try await connection.query(
                "UPDATE images SET deleted_at = \(envelope.time) WHERE id = \(deleted.imageID) AND deleted_at IS NULL",
                logger: logger)
            audit.imageID = deleted.imageID
            audit.username = envelope.subject
        case .collaboratorAdded(let change):
            try await connection.query(
                """
                INSERT INTO collaborators (owner, root_path, username, added_at, event_id)
                VALUES (\(change.owner.value), \(change.root.value), \(change.username.value), \(envelope.time), \(envelope.id))
                ON CONFLICT DO NOTHING
                """, logger: logger)
            audit.username = change.username.value
            audit.namespace = "\(change.root.value)@\(change.owner.value)"
        case .collaboratorRemoved(let change):
            try await connection.query(
                """
                DELETE FROM collaborators
                WHERE owner = \(change.owner.value) AND root_path = \(change.root.value) AND username = \(change.username.value)
                """, logger: logger)
            audit.username = change.username.value
            audit.namespace = "\(change.root.value)@\(change.owner.value)"
        }
        return audit
    }

    private static func applyImageCreated(
        _ created: ImageCreated, envelope: EventEnvelope, on connection: PostgresConnection, logger: Logger
    ) async throws {
        if let owner = created.owner, let path = created.namespace {
            try await NamespaceFold.ensure(
                owner: owner.value, path: path, leafVisibility: nil, envelope: envelope, on: connection, logger: logger)
        }
        let owner = created.owner?.value
        let namespacePath = created.namespace?.value
        try await connection.query(
            """
            INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                                created_at, created_by, event_id)
            SELECT \(created.imageID), \(created.source.rawValue), \(owner), \(namespacePath), \(created.name),
                   coalesce(max(version), 0) + 1, \(created.driver.rawValue), \(created.location.value),
                   \(created.sha256.hex), \(created.size), \(envelope.time), \(envelope.actor.value), \(envelope.id)
            FROM images
            WHERE coalesce(owner, '') = coalesce(\(owner), '')
              AND coalesce(namespace_path, '') = coalesce(\(namespacePath), '')
              AND name = \(created.name)
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
    }

    /// Columns of an audit entry that queries filter on.
    private struct AuditFacts {
        var username: String?
        var namespace: String?
        var imageName: String?
        var imageID: UUID?
        var buildID: String?
    }

    /// One row of `audit_events`, as JSON for `jsonb_to_recordset` (a
    /// missing key, which is how `nil` is encoded, becomes SQL `NULL`).
    private struct AuditRow: Encodable {
        let eventID: UUID
        let logPartition: Int32
        let logOffset: Int64
        let type: String
        let occurredAt: String
        let actor: String
        let subject: String
        let requestID: String?
        let username: String?
        let namespace: String?
        let imageName: String?
        let imageID: UUID?
        let buildID: String?
        let data: String

        init(_ envelope: EventEnvelope, position: LogPosition, facts: AuditFacts) {
            eventID = envelope.id
            logPartition = position.partition
            logOffset = position.offset
            type = envelope.type.rawValue
            occurredAt = envelope.time.formatted(Self.timestamp)
            actor = envelope.actor.value
            subject = envelope.subject
            requestID = envelope.requestID
            username = facts.username
            namespace = facts.namespace
            imageName = facts.imageName
            imageID = facts.imageID
            buildID = facts.buildID
            data = String(decoding: CloudEventsCodec.encode(envelope).value, as: UTF8.self)
        }

        /// Millisecond precision, which is all an event's time has.
        private static let timestamp = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

        /// Column names: `eventID` becomes `event_id`.
        static func encoder() -> JSONEncoder {
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            return encoder
        }
    }

    private static func recordAudit(_ rows: [AuditRow], on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        let json = String(decoding: try AuditRow.encoder().encode(rows), as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO audit_events (event_id, log_partition, log_offset, type, occurred_at, actor, subject,
                                      request_id, username, namespace, image_name, image_id, build_id, data)
            SELECT event_id, log_partition, log_offset, type, occurred_at, actor, subject, request_id, username,
                   namespace, image_name, image_id, build_id, data::jsonb
            FROM jsonb_to_recordset(\(json)::jsonb) AS row(
                event_id uuid, log_partition integer, log_offset bigint, type text, occurred_at timestamptz,
                actor text, subject text, request_id text, username text, namespace text, image_name text,
                image_id uuid, build_id text, data text)
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }
}

/// Creates namespaces and their missing ancestors.
enum NamespaceFold {
    /// Creates each missing namespace along `path`, root first. A missing
    /// namespace takes its parent's visibility; the leaf takes
    /// `leafVisibility` when given; a missing root without one is private.
    /// Existing namespaces are left untouched.
    static func ensure(
        owner: String, path: NamespacePath, leafVisibility: Visibility?, envelope: EventEnvelope,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        for namespace in path.lineage {
            let isLeaf = namespace == path
            let requested = isLeaf ? leafVisibility?.rawValue : nil
            let parentPath = namespace.parent?.value
            let fallback = leafVisibility?.rawValue ?? Visibility.private.rawValue
            try await connection.query(
                """
                INSERT INTO namespaces (owner, path, parent_path, visibility, created_at, created_by, event_id)
                VALUES (\(owner), \(namespace.value), \(parentPath),
                        coalesce(\(requested),
                                 (SELECT visibility FROM namespaces WHERE owner = \(owner) AND path = \(parentPath)),
                                 \(fallback)),
                        \(envelope.time), \(envelope.actor.value), \(envelope.id))
                ON CONFLICT (owner, path) DO NOTHING
                """, logger: logger)
        }
    }
}
