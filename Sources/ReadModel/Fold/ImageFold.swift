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
    /// One image row, without its version.
    private struct Row: Encodable {
        let ordinal: Int
        let id: UUID
        let source: String
        let owner: String?
        let namespacePath: String?
        let name: String
        let driver: String
        let location: String
        let sha256: String
        let size: Int64
        let createdAt: Date
        let createdBy: String
        let eventID: UUID
    }

    private var rows: [Row] = []
    private var ids = Set<UUID>()

    var isEmpty: Bool { rows.isEmpty }

    mutating func create(_ created: ImageCreated, envelope: EventEnvelope) {
        guard ids.insert(created.imageID).inserted else { return }
        rows.append(Row(
            ordinal: rows.count, id: created.imageID, source: created.source.rawValue, owner: created.owner?.value,
            namespacePath: created.namespace?.value, name: created.name, driver: created.driver.rawValue,
            location: created.location.value, sha256: created.sha256.hex, size: created.size,
            createdAt: envelope.time, createdBy: envelope.actor.value, eventID: envelope.id))
    }

    func write(on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO images (id, source, owner, namespace_path, name, version, driver, location, sha256, size,
                                created_at, created_by, event_id)
            SELECT new.id, new.source, new.owner, new.namespace_path, new.name,
                   coalesce((SELECT max(stored.version) FROM images AS stored
                             WHERE coalesce(stored.owner, '') = coalesce(new.owner, '')
                               AND coalesce(stored.namespace_path, '') = coalesce(new.namespace_path, '')
                               AND stored.name = new.name), 0)
                     + row_number() OVER (PARTITION BY coalesce(new.owner, ''), coalesce(new.namespace_path, ''), new.name
                                          ORDER BY new.ordinal),
                   new.driver, new.location, new.sha256, new.size, new.created_at, new.created_by, new.event_id
            FROM jsonb_to_recordset(\(try RecordSet.json(rows))::jsonb) AS new(
                ordinal integer, id uuid, source text, owner text, namespace_path text, name text, driver text,
                location text, sha256 text, size bigint, created_at timestamptz, created_by text, event_id uuid)
            WHERE NOT EXISTS (SELECT FROM images AS stored WHERE stored.id = new.id)
            """, logger: logger)
    }
}
