import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// Adds image versions for many `image-created` events in one statement.
///
/// Each new image gets the next version of its name: the highest stored
/// version plus its place, in log order, among this statement's images of
/// the same name. An image id stored before, or mentioned earlier in the
/// same statement, changes nothing and takes no version.
struct ImageFold {
    private var created: [(ImageCreated, EventEnvelope)] = []
    private var ids = Set<UUID>()

    mutating func create(_ image: ImageCreated, envelope: EventEnvelope) {
        guard ids.insert(image.imageID).inserted else { return }
        created.append((image, envelope))
    }

    func write(on connection: PostgresConnection, logger: Logger) async throws {
        guard !created.isEmpty else { return }
        let images = created.map(\.0)
        let envelopes = created.map(\.1)
        try await connection.query(
            """
            INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                                created_at, created_by, event_id, verified)
            SELECT new.id, new.source, NULLIF(new.owner, ''), NULLIF(new.namespace_path, ''), new.name,
                   coalesce((SELECT max(stored.version) FROM images AS stored
                             WHERE coalesce(stored.owner, '') = new.owner
                               AND coalesce(stored.namespace_path, '') = new.namespace_path
                               AND stored.name = new.name), 0)
                     + row_number() OVER (PARTITION BY new.owner, new.namespace_path, new.name ORDER BY new.ordinal),
                   new.driver, new.location, new.sha256, new.size, new.created_at, new.created_by, new.event_id,
                   new.verified
            FROM unnest(\(images.map(\.imageID)), \(images.map(\.source.rawValue)), \(nullableText(images.map(\.owner?.value))),
                        \(nullableText(images.map(\.namespace?.value))), \(images.map(\.name)),
                        \(images.map(\.driver.rawValue)), \(images.map(\.location.value)), \(images.map(\.sha256.hex)),
                        \(images.map(\.size)), \(envelopes.map(\.time)), \(envelopes.map(\.actor.value)),
                        \(envelopes.map(\.id)), \(images.map(\.verified)))
                 WITH ORDINALITY
                 AS new(id, source, owner, namespace_path, name, driver, location, sha256, size, created_at, created_by,
                        event_id, verified, ordinal)
            WHERE NOT EXISTS (SELECT FROM images AS stored WHERE stored.id = new.id)
            """, logger: logger)
    }
}
