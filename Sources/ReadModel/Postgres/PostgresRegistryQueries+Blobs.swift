import Foundation
import PostgresNIO
import RegistryDomain

/// What garbage collection of the blob store asks the read model.
extension PostgresRegistryQueries {
    /// Who needs files of the blob store: those of `digests` that a live
    /// (not deleted) version names, the upload sessions that exist, and
    /// the imports that have not ended. One round trip.
    public func blobNeeds(among digests: [SHA256Digest]) async throws
        -> (liveDigests: Set<SHA256Digest>, openSessions: Set<UUID>, queuedImports: Set<UUID>)
    {
        let rows = try await run(
            """
            SELECT 'digest', sha256, NULL::uuid FROM images WHERE deleted_at IS NULL AND sha256 = ANY(\(digests.map(\.hex)))
            UNION ALL SELECT 'session', NULL, id FROM registry_uploads.sessions
            UNION ALL SELECT 'import', NULL, id FROM imports WHERE status = 'queued'
            """)
        var needs: (liveDigests: Set<SHA256Digest>, openSessions: Set<UUID>, queuedImports: Set<UUID>) = ([], [], [])
        for try await (kind, hex, id) in rows.decode((String, String?, UUID?).self) {
            switch (kind, hex, id) {
            case ("digest", let hex?, _):
                needs.liveDigests.insert(try StoredValue.decode { try SHA256Digest(hex: hex, field: "images.sha256") })
            case ("session", _, let id?): needs.openSessions.insert(id)
            case ("import", _, let id?): needs.queuedImports.insert(id)
            default: continue
            }
        }
        return needs
    }

    /// Runs `work` while this replica alone collects the blob store; `nil`
    /// without running it when another replica is collecting.
    public func withBlobCollectionClaim<Result: Sendable>(_ work: @Sendable () async throws -> Result) async throws
        -> Result?
    {
        try await AdvisoryClaim.run(on: "blob-collection", client: client, logger: logger, work)
    }
}
