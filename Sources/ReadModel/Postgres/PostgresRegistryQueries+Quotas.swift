import Foundation
import PostgresNIO
import RegistryDomain

/// ``QuotaRepository`` in PostgreSQL: `quotas`, the live rows of `images`
/// in the scope, and the open sessions of `registry_uploads.sessions`.
extension PostgresRegistryQueries {
    public func quotas(owner: Username, roots: [NamespacePath?]) async throws -> [QuotaSet] {
        let rows = try await run(
            """
            SELECT root_path, max_bytes, max_versions FROM quotas
            WHERE owner = \(owner.value) AND root_path = ANY(\(roots.map { $0?.value ?? "" }))
            ORDER BY root_path
            """)
        var quotas: [QuotaSet] = []
        for try await (path, bytes, versions) in rows.decode((String, Int64?, Int32?).self) {
            let root = try path.isEmpty ? nil : StoredValue.decode { try NamespacePath(path, field: "quotas.root_path") }
            quotas.append(QuotaSet(owner: owner, root: root, maxBytes: bytes, maxVersions: versions.map(Int.init)))
        }
        return quotas
    }

    public func usage(owner: Username, root: NamespacePath?, excludingSession: UUID?) async throws -> QuotaUsage {
        let path = root?.value
        let rows = try await run(
            """
            WITH scope AS (
                SELECT sha256, size FROM images
                WHERE owner = \(owner.value) AND deleted_at IS NULL
                  AND (\(path)::text IS NULL OR namespace_path = \(path) OR starts_with(namespace_path, \(path.map { $0 + "/" })))
            )
            SELECT coalesce((SELECT sum(size) FROM scope), 0)::bigint,
                   coalesce((SELECT sum(size) FROM (SELECT DISTINCT sha256, size FROM scope) AS stored), 0)::bigint,
                   (SELECT count(*) FROM scope),
                   coalesce((SELECT sum(coalesce(declared_size, upload_offset)) FROM registry_uploads.sessions
                             WHERE owner = \(owner.value) AND id IS DISTINCT FROM \(excludingSession)
                               AND (\(path)::text IS NULL OR namespace_path = \(path)
                                    OR starts_with(namespace_path, \(path.map { $0 + "/" })))), 0)::bigint
            """)
        for try await (logical, physical, versions, inFlight) in rows.decode((Int64, Int64, Int64, Int64).self) {
            return QuotaUsage(
                logicalBytes: logical, physicalBytes: physical, versions: Int(versions), inFlightBytes: inFlight)
        }
        return QuotaUsage(logicalBytes: 0, physicalBytes: 0, versions: 0, inFlightBytes: 0)
    }

    public func holds(_ digest: SHA256Digest, owner: Username, root: NamespacePath?) async throws -> Bool {
        let path = root?.value
        let rows = try await run(
            """
            SELECT EXISTS (
                SELECT 1 FROM images
                WHERE owner = \(owner.value) AND deleted_at IS NULL AND sha256 = \(digest.hex)
                  AND (\(path)::text IS NULL OR namespace_path = \(path) OR starts_with(namespace_path, \(path.map { $0 + "/" }))))
            """)
        for try await held in rows.decode(Bool.self) { return held }
        return false
    }
}
