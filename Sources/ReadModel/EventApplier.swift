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
    /// Applies `envelope`; returns `false` when its id was applied before.
    static func apply(
        _ envelope: EventEnvelope, at position: LogPosition, on connection: PostgresConnection, logger: Logger
    ) async throws -> Bool {
        let firstTime = try await connection.query(
            """
            INSERT INTO applied_events (event_id, log_partition, log_offset)
            VALUES (\(envelope.id), \(position.partition), \(position.offset))
            ON CONFLICT (event_id) DO NOTHING RETURNING 1
            """, logger: logger)
        var inserted = false
        for try await _ in firstTime { inserted = true }
        guard inserted else { return false }

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
        try await recordAudit(envelope, position: position, facts: audit, on: connection, logger: logger)
        return true
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

    private static func recordAudit(
        _ envelope: EventEnvelope, position: LogPosition, facts: AuditFacts,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        let data = String(decoding: CloudEventsCodec.encode(envelope).value, as: UTF8.self)
        try await connection.query(
            """
            INSERT INTO audit_events (event_id, log_partition, log_offset, type, occurred_at, actor, subject,
                                      request_id, username, namespace, image_name, image_id, build_id, data)
            VALUES (\(envelope.id), \(position.partition), \(position.offset), \(envelope.type.rawValue),
                    \(envelope.time), \(envelope.actor.value), \(envelope.subject), \(envelope.requestID),
                    \(facts.username), \(facts.namespace), \(facts.imageName), \(facts.imageID), \(facts.buildID),
                    \(data)::jsonb)
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
