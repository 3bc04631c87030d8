import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Adds image versions for many `image-created` events in one statement.
///
/// One query reads what is stored for the run's names and ids;
/// ``ImageVersioning`` decides each event in log order (a new version, or
/// nothing when the bytes already are the newest live version or the id is
/// taken); one statement inserts the new rows.
struct ImageFold {
    private var created: [(ImageCreated, EventEnvelope)] = []

    mutating func create(_ image: ImageCreated, envelope: EventEnvelope) {
        created.append((image, envelope))
    }

    /// Writes the new versions. Returns, by event id, the image each
    /// unchanged registration stands for, for the audit trail.
    func write(on connection: PostgresConnection, logger: Logger) async throws -> [UUID: UUID] {
        guard !created.isEmpty else { return [:] }
        var versioning = try await Self.versioning(of: created.map(\.0), on: connection, logger: logger)
        var rows: [(image: ImageCreated, envelope: EventEnvelope, version: Int)] = []
        var unchanged: [UUID: UUID] = [:]
        for (image, envelope) in created {
            switch versioning.decide(image) {
            case .newVersion(let version): rows.append((image, envelope, version))
            case .unchanged(let sameAs): unchanged[envelope.id] = sameAs
            case .existingID: break
            }
        }
        guard !rows.isEmpty else { return unchanged }
        let images = rows.map(\.image)
        let envelopes = rows.map(\.envelope)
        try await connection.query(
            """
            INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                                created_at, created_by, event_id, verified)
            SELECT id, source, NULLIF(owner, ''), NULLIF(namespace_path, ''), name, version, driver, location, sha256,
                   size, created_at, created_by, event_id, verified
            FROM unnest(\(images.map(\.imageID)), \(images.map(\.source.rawValue)), \(nullableText(images.map(\.owner?.value))),
                        \(nullableText(images.map(\.namespace?.value))), \(images.map(\.name)), \(rows.map(\.version)),
                        \(images.map(\.driver.rawValue)), \(images.map(\.location.value)), \(images.map(\.sha256.hex)),
                        \(images.map(\.size)), \(envelopes.map(\.time)), \(envelopes.map(\.actor.value)),
                        \(envelopes.map(\.id)), \(images.map(\.verified)))
                 AS new(id, source, owner, namespace_path, name, version, driver, location, sha256, size, created_at,
                        created_by, event_id, verified)
            """, logger: logger)
        return unchanged
    }

    /// What is stored for the names of `images`, and which of their ids
    /// exist, in one query.
    private static func versioning(of images: [ImageCreated], on connection: PostgresConnection, logger: Logger)
        async throws -> ImageVersioning
    {
        let names = Array(Set(images.map(ImageVersioning.Name.init)))
        let rows = try await connection.query(
            """
            SELECT wanted.owner, wanted.namespace_path, wanted.name,
                   coalesce(highest.version, 0), newest.id, newest.sha256, NULL::uuid
            FROM unnest(\(names.map(\.owner)), \(names.map(\.namespacePath)), \(names.map(\.name)))
                 AS wanted(owner, namespace_path, name)
            LEFT JOIN LATERAL (
                SELECT max(version) AS version FROM images
                WHERE coalesce(owner, '') = wanted.owner AND coalesce(namespace_path, '') = wanted.namespace_path
                  AND name = wanted.name) AS highest ON true
            LEFT JOIN LATERAL (
                SELECT id, sha256 FROM images
                WHERE coalesce(owner, '') = wanted.owner AND coalesce(namespace_path, '') = wanted.namespace_path
                  AND name = wanted.name AND deleted_at IS NULL
                ORDER BY version DESC LIMIT 1) AS newest ON true
            UNION ALL
            SELECT NULL, NULL, NULL, NULL, NULL, NULL, id FROM images WHERE id = ANY(\(images.map(\.imageID)))
            """, logger: logger)
        var stored: [ImageVersioning.Name: ImageVersioning.Stored] = [:]
        var existing = Set<UUID>()
        for try await (owner, path, name, highest, newestID, newestSHA, existingID)
            in rows.decode((String?, String?, String?, Int?, UUID?, String?, UUID?).self)
        {
            if let existingID { existing.insert(existingID); continue }
            guard let owner, let path, let name, let highest else { continue }
            let newest = newestID.flatMap { id in newestSHA.map { (id: id, sha256: $0) } }
            stored[ImageVersioning.Name(owner: owner, namespacePath: path, name: name)] =
                ImageVersioning.Stored(highestVersion: highest, newestLive: newest)
        }
        return ImageVersioning(stored: stored, existingIDs: existing)
    }
}
