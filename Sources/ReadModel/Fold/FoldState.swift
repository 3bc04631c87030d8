import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The state the fold reads to decide on an event, at the event's position:
/// the rows of earlier events of the same partition, already written.
enum FoldState {
    /// A root namespace, by owner and path.
    struct Root: Hashable {
        let owner: String
        let path: String
    }

    /// The collaborators of each of `roots`, in one query; a root without
    /// collaborators (or that does not exist) has none.
    static func collaborators(of roots: Set<Root>, on connection: PostgresConnection, logger: Logger) async throws
        -> [Root: Set<Username>]
    {
        guard !roots.isEmpty else { return [:] }
        let wanted = Array(roots)
        let rows = try await connection.query(
            """
            SELECT c.owner, c.root_path, c.username
            FROM collaborators c
            JOIN unnest(\(wanted.map(\.owner)), \(wanted.map(\.path))) AS wanted(owner, root_path)
              ON c.owner = wanted.owner AND c.root_path = wanted.root_path
            """, logger: logger)
        var found: [Root: Set<Username>] = [:]
        for try await (owner, path, username) in rows.decode((String, String, String).self) {
            if let name = try? Username(username) { found[Root(owner: owner, path: path), default: []].insert(name) }
        }
        return found
    }

    /// Whether a root namespace exists.
    static func exists(_ root: Root, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await namespaceExists(owner: root.owner, path: root.path, on: connection, logger: logger)
    }

    /// Whether the namespace `path` of `owner` exists.
    static func namespaceExists(owner: String, path: String, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let rows = try await connection.query(
            "SELECT 1 FROM namespaces WHERE owner = \(owner) AND path = \(path)", logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// An image and the collaborators of its namespace tree's root.
    static func image(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> (image: StoredImage, rootCollaborators: Set<Username>)?
    {
        let rows = try await connection.query(
            """
            SELECT i.owner, i.namespace_path, i.deleted_at IS NOT NULL,
                   array(SELECT c.username FROM collaborators c
                         WHERE c.owner = i.owner AND c.root_path = split_part(i.namespace_path, '/', 1))
            FROM images i WHERE i.id = \(id)
            """, logger: logger)
        for try await (owner, path, deleted, collaborators) in rows.decode((String?, String?, Bool, [String]).self) {
            let image = StoredImage(
                owner: owner.flatMap { try? Username($0) }, namespace: path.flatMap { try? NamespacePath($0) },
                isDeleted: deleted)
            return (image, Set(collaborators.compactMap { try? Username($0) }))
        }
        return nil
    }
}
