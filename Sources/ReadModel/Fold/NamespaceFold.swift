import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Creates namespaces and their missing ancestors, for many events at once.
///
/// A missing namespace takes its parent's visibility; the leaf takes the
/// visibility its event asks for, if any; a missing root without one is
/// private. The first event to mention a namespace creates it; later ones,
/// and existing namespaces, change nothing.
struct NamespaceFold {
    /// One namespace to create if it is missing.
    private struct Row {
        let owner: String
        let path: String
        let parentPath: String?
        /// The visibility the event asks for (leaves only).
        let requested: String?
        /// The visibility when neither `requested` nor a parent gives one.
        let fallback: String
        let createdAt: Date
        let createdBy: String
        let eventID: UUID
    }

    private struct Key: Hashable {
        let owner: String
        let path: String
    }

    /// Rows by depth (index 0 holds roots), first mention of each namespace only.
    private var levels: [[Row]] = []
    private var mentioned = Set<Key>()

    /// Adds `path` and every ancestor, root first, as `envelope` creates them.
    mutating func ensure(owner: String, path: NamespacePath, leafVisibility: Visibility?, envelope: EventEnvelope) {
        for (depth, namespace) in path.lineage.enumerated() {
            guard mentioned.insert(Key(owner: owner, path: namespace.value)).inserted else { continue }
            if levels.count <= depth { levels.append(contentsOf: Array(repeating: [], count: depth + 1 - levels.count)) }
            levels[depth].append(Row(
                owner: owner, path: namespace.value, parentPath: namespace.parent?.value,
                requested: namespace == path ? leafVisibility?.rawValue : nil,
                fallback: leafVisibility?.rawValue ?? Visibility.private.rawValue,
                createdAt: envelope.time, createdBy: envelope.actor.value, eventID: envelope.id))
        }
    }

    /// Inserts the missing namespaces, one statement per depth, roots first,
    /// so each level reads its parents' visibility from the table.
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        for level in levels where !level.isEmpty {
            try await connection.query(
                """
                INSERT INTO namespaces (owner, path, parent_path, visibility, created_at, created_by, event_id)
                SELECT new.owner, new.path, NULLIF(new.parent_path, ''),
                       coalesce(NULLIF(new.requested, ''),
                                (SELECT parent.visibility FROM namespaces AS parent
                                 WHERE parent.owner = new.owner AND parent.path = new.parent_path),
                                new.fallback),
                       new.created_at, new.created_by, new.event_id
                FROM unnest(\(level.map(\.owner)), \(level.map(\.path)), \(nullableText(level.map(\.parentPath))),
                            \(nullableText(level.map(\.requested))), \(level.map(\.fallback)), \(level.map(\.createdAt)),
                            \(level.map(\.createdBy)), \(level.map(\.eventID)))
                     AS new(owner, path, parent_path, requested, fallback, created_at, created_by, event_id)
                ON CONFLICT (owner, path) DO NOTHING
                """, logger: logger)
        }
    }
}
