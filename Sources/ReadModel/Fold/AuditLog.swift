import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The entries of `audit_events` for a batch of applied events, written in
/// one statement.
struct AuditLog {
    /// One row of `audit_events`.
    private struct Row: Encodable {
        let eventID: UUID
        let logPartition: Int32
        let logOffset: Int64
        let type: String
        let occurredAt: Date
        let actor: String
        let subject: String
        let requestID: String?
        var username: String?
        var namespace: String?
        var imageName: String?
        var imageID: UUID?
        var buildID: String?
        let data: String

        init(_ envelope: EventEnvelope, position: LogPosition) {
            eventID = envelope.id
            logPartition = position.partition
            logOffset = position.offset
            type = envelope.type.rawValue
            occurredAt = envelope.time
            actor = envelope.actor.value
            subject = envelope.subject
            requestID = envelope.requestID
            data = String(decoding: CloudEventsCodec.encode(envelope).value, as: UTF8.self)
            switch envelope.event {
            case .namespaceCreated(let created):
                username = created.owner.value
                namespace = "\(created.path.value)@\(created.owner.value)"
            case .imageCreated(let created):
                username = created.owner?.value
                namespace = created.namespace.flatMap { path in created.owner.map { "\(path.value)@\($0.value)" } }
                imageName = created.name
                imageID = created.imageID
            case .imageResolved(let resolved):
                username = resolved.user.value
                namespace = resolved.namespace
                imageName = resolved.image
                imageID = resolved.resolution?.imageID
                buildID = resolved.buildID
            case .imageDeleted(let deleted):
                imageID = deleted.imageID
                username = envelope.subject
            case .collaboratorAdded(let change), .collaboratorRemoved(let change):
                username = change.username.value
                namespace = "\(change.root.value)@\(change.owner.value)"
            }
        }
    }

    private var rows: [Row] = []

    mutating func record(_ envelope: EventEnvelope, position: LogPosition) {
        rows.append(Row(envelope, position: position))
    }

    func write(on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO audit_events (event_id, log_partition, log_offset, type, occurred_at, actor, subject,
                                      request_id, username, namespace, image_name, image_id, build_id, data)
            SELECT event_id, log_partition, log_offset, type, occurred_at, actor, subject, request_id, username,
                   namespace, image_name, image_id, build_id, data::jsonb
            FROM jsonb_to_recordset(\(try RecordSet.json(rows))::jsonb) AS row(
                event_id uuid, log_partition integer, log_offset bigint, type text, occurred_at timestamptz,
                actor text, subject text, request_id text, username text, namespace text, image_name text,
                image_id uuid, build_id text, data text)
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }
}
