import Foundation
import PostgresNIO
import RegistryDomain

/// ``ImageRepository`` in PostgreSQL (the `images` table).
extension PostgresRegistryQueries {
    static let imageColumns = """
        id, source, owner, namespace_path, name, version, driver, location, sha256, size, created_at, created_by, deleted_at,
        verified, deprecated_at, deprecation_reason, replacement, revoked_at, revocation_reason
        """

    /// ``imageColumns`` of the row source `table`.
    static func imageColumns(of table: String) -> String {
        imageColumns.split(separator: ", ").map { "\(table).\($0)" }.joined(separator: ", ")
    }

    public func resolve(_ plan: ResolutionPlan, for user: Username) async throws -> Resolution? {
        let query = ResolutionQuery(steps: plan.steps, digest: plan.digest?.hex, user: user)
        let (client, logger) = (self.client, self.logger)
        let columns = try await withTimeout { () -> ImageRecord.Columns? in
            for try await columns in try await client.execute(ResolutionStatement(query: query), logger: logger) {
                return columns
            }
            return nil
        }
        return try columns.map(ImageRecord.init)?.resolution
    }

    public func image(id: UUID) async throws -> ImageRecord? {
        try await images("SELECT \(unescaped: Self.imageColumns) FROM images WHERE id = \(id)").first
    }

    private func images(_ query: PostgresQuery) async throws -> [ImageRecord] {
        var result: [ImageRecord] = []
        let rows = try await run(query)
        for try await columns in rows.decode(ImageRecord.Columns.self) {
            result.append(try ImageRecord(columns))
        }
        return result
    }

    public func images(_ filter: ImageListFilter, viewer: Viewer) async throws -> [ImageRecord] {
        let search = filter.search.map(Self.likePattern)
        let (owner, path) = (filter.namespace?.owner.value, filter.namespace?.path.value)
        // The newest-version check runs on visible rows only (CASE fixes the
        // order): as one more condition, PostgreSQL ran it on every row first,
        // 10,000 probes for a viewer who sees none of 10,000 (55 ms, now 10).
        // One level, so the plan stays the id index scan that stops at the
        // page's end (a subquery was planned as a sort of every row).
        return try await images("""
            SELECT \(unescaped: Self.imageColumns) FROM images i
            WHERE (deleted_at IS NULL OR \(filter.includeDeleted))
              AND (\(owner)::text IS NULL OR (owner = \(owner) AND namespace_path = \(path)))
              AND (\(search)::text IS NULL OR name ILIKE \(search) ESCAPE '\\')
              AND (\(filter.after)::uuid IS NULL OR id > \(filter.after))
              AND CASE WHEN \(imageVisibleTo: viewer, image: "i")
                  THEN NOT \(filter.newestOnly) OR NOT EXISTS (
                      SELECT 1 FROM images n
                      WHERE coalesce(n.owner, '') = coalesce(i.owner, '')
                        AND coalesce(n.namespace_path, '') = coalesce(i.namespace_path, '')
                        AND n.name = i.name AND n.version > i.version AND n.deleted_at IS NULL)
                  ELSE false END
            ORDER BY id
            LIMIT \(filter.limit)
            """)
    }

    /// `%text%` with the LIKE wildcards in `text` escaped, so a search is literal.
    static func likePattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%\(escaped)%"
    }

    public func mayRead(digest: SHA256Digest, viewer: Viewer) async throws -> Bool {
        let rows = try await run("""
            SELECT EXISTS (
                SELECT 1 FROM images i
                WHERE sha256 = \(digest.hex)
                  AND (created_by = \(viewer.username?.value)
                       OR (deleted_at IS NULL AND \(imageVisibleTo: viewer, image: "i"))))
            """)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }
}

extension ImageRecord {
    /// The columns of `images` that queries select, in
    /// ``PostgresRegistryQueries/imageColumns`` order.
    typealias Columns = (
        UUID, String, String?, String?, String, Int32, String, String, String, Int64, Date, String, Date?, Bool,
        Date?, String?, String?, Date?, String?
    )

    /// The record a row holds; ``InvalidStoredValue`` for a value no event could have written.
    init(_ columns: Columns) throws {
        self = try StoredValue.decode {
            ImageRecord(
                id: columns.0, source: try ImageSource(parsing: columns.1, field: "images.source"),
                owner: try columns.2.map { try Username($0, field: "images.owner") },
                namespacePath: try columns.3.map { try NamespacePath($0, field: "images.namespace_path") },
                name: columns.4, version: Int(columns.5), driver: try Driver(parsing: columns.6, field: "images.driver"),
                location: try ImageLocation(columns.7, field: "images.location"),
                sha256: try SHA256Digest(hex: columns.8, field: "images.sha256"), size: columns.9,
                createdAt: columns.10, createdBy: columns.11, deletedAt: columns.12, verified: columns.13,
                deprecation: columns.14.map { Deprecation(since: $0, reason: columns.15 ?? "", replacement: columns.16) },
                revocation: columns.17.map { Revocation(effectiveAt: $0, reason: columns.18 ?? "") })
        }
    }
}
