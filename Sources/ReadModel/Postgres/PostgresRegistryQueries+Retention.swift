import Foundation
import PostgresNIO
import RegistryDomain

/// ``RetentionRepository`` in PostgreSQL: versions from `images`, their
/// builds from the audit trail's `image-resolved` entries (refused ones and
/// those the fold rejected do not count).
extension PostgresRegistryQueries {
    public func retentionCandidates(in target: RetentionTarget) async throws -> [RetentionCandidate] {
        let rows = try await run(
            """
            SELECT i.id, i.name, i.version, i.created_at, used.last_resolved, used.last_pinned
            FROM images i
            LEFT JOIN LATERAL (
                SELECT max(a.occurred_at) AS last_resolved,
                       max(a.occurred_at) FILTER (WHERE a.data->>'image' LIKE '%@sha256:%') AS last_pinned
                FROM audit_events a
                WHERE a.image_id = i.id AND a.type = 'image-resolved' AND a.rejected IS NULL AND NOT a.data ? 'refused'
            ) AS used ON true
            WHERE i.owner = \(target.owner.value) AND i.namespace_path IS NOT DISTINCT FROM \(target.namespacePath?.value)
              AND i.deleted_at IS NULL
            """)
        var candidates: [RetentionCandidate] = []
        for try await (id, name, version, created, resolved, pinned) in rows.decode(
            (UUID, String, Int32, Date, Date?, Date?).self)
        {
            candidates.append(RetentionCandidate(
                imageID: id, name: name, version: Int(version), createdAt: created, lastResolved: resolved,
                lastPinned: pinned))
        }
        return candidates
    }
}
