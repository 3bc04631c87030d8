import Foundation
import PostgresNIO
import RegistryDomain

/// ``NamespaceRepository`` in PostgreSQL (the `namespaces` and
/// `collaborators` tables).
extension PostgresRegistryQueries {
    static let namespaceColumns = "owner, path, visibility, created_at, created_by, description, revoked_fallback, retention::text"

    public func namespace(_ reference: NamespaceReference) async throws -> NamespaceRecord? {
        try await namespaceRecords("""
            SELECT \(unescaped: Self.namespaceColumns) FROM namespaces
            WHERE owner = \(reference.owner.value) AND path = \(reference.path.value)
            """).first
    }

    private func namespaceRecords(_ query: PostgresQuery) async throws -> [NamespaceRecord] {
        var result: [NamespaceRecord] = []
        for try await row in try await run(query).decode((String, String, String, Date, String, String, Bool, String?).self) {
            result.append(try StoredValue.decode {
                NamespaceRecord(
                    reference: NamespaceReference(
                        path: try NamespacePath(row.1, field: "namespaces.path"),
                        owner: try Username(row.0, field: "namespaces.owner")),
                    visibility: try Visibility(parsing: row.2, field: "namespaces.visibility"),
                    createdAt: row.3, createdBy: row.4, description: row.5,
                    revokedFallback: row.6,
                    retention: try row.7.map { text in
                        guard let policy = try? JSONDecoder().decode(RetentionPolicy.self, from: Data(text.utf8)) else {
                            throw NameError(field: "namespaces.retention", message: "is not a retention policy: \(text)")
                        }
                        return policy
                    })
            })
        }
        return result
    }

    public func namespaceAccess(_ reference: NamespaceReference) async throws -> NamespaceAccess? {
        guard let namespace = try await namespace(reference) else { return nil }
        var collaborators: Set<Username> = []
        let rows = try await run("""
            SELECT username FROM collaborators
            WHERE owner = \(reference.owner.value) AND root_path = \(reference.path.root.value)
            """)
        for try await username in rows.decode(String.self) {
            collaborators.insert(try StoredValue.decode { try Username(username, field: "collaborators.username") })
        }
        return NamespaceAccess(owner: reference.owner, visibility: namespace.visibility, collaborators: collaborators)
    }

    public func namespaces(_ filter: NamespaceListFilter, viewer: Viewer) async throws -> [NamespaceRecord] {
        let viewerName = viewer.username?.value
        let owner = filter.owner?.value
        return try await namespaceRecords("""
            SELECT \(unescaped: Self.namespaceColumns) FROM namespaces n
            WHERE (\(owner)::text IS NULL OR owner = \(owner))
              AND (\(filter.after?.owner)::text IS NULL OR (owner, path) > (\(filter.after?.owner), \(filter.after?.path)))
              AND (\(viewer.isAdministrator) OR visibility = 'public' OR owner = \(viewerName)
                   OR (visibility = 'internal' AND \(viewerName)::text IS NOT NULL)
                   OR EXISTS (SELECT 1 FROM collaborators c WHERE c.owner = n.owner
                                AND c.root_path = split_part(n.path, '/', 1) AND c.username = \(viewerName)))
            ORDER BY owner, path
            LIMIT \(filter.limit)
            """)
    }
}
