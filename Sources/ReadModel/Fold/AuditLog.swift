import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The entries of `audit_events` for a batch of applied events, written in
/// one statement.
struct AuditLog {
    /// The columns of one entry that queries filter on, taken from the event.
    private struct Facts {
        var username: String?
        var namespace: String?
        var imageName: String?
        var imageID: UUID?
        var buildID: String?

        init(_ event: RegistryEvent, subject: String) {
            switch event {
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
                username = subject
            case .collaboratorAdded(let change), .collaboratorRemoved(let change):
                username = change.username.value
                namespace = "\(change.root.value)@\(change.owner.value)"
            }
        }
    }

    private var entries: [EventApplier.Entry] = []

    mutating func record(_ entry: EventApplier.Entry) {
        entries.append(entry)
    }

    /// Writes every entry; `data` is the record's value exactly as it is in
    /// the log.
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        let envelopes = entries.map(\.envelope)
        let facts = envelopes.map { Facts($0.event, subject: $0.subject) }
        try await connection.query(
            """
            INSERT INTO audit_events (event_id, log_partition, log_offset, type, occurred_at, actor, subject,
                                      request_id, username, namespace, image_name, image_id, build_id, data)
            SELECT event_id, log_partition, log_offset, type, occurred_at, actor, subject, NULLIF(request_id, ''),
                   NULLIF(username, ''), NULLIF(namespace, ''), NULLIF(image_name, ''), NULLIF(image_id, '')::uuid,
                   NULLIF(build_id, ''), data::jsonb
            FROM unnest(\(envelopes.map(\.id)), \(entries.map(\.position.partition)), \(entries.map(\.position.offset)),
                        \(envelopes.map(\.type.rawValue)), \(envelopes.map(\.time)), \(envelopes.map(\.actor.value)),
                        \(envelopes.map(\.subject)), \(nullableText(envelopes.map(\.requestID))),
                        \(nullableText(facts.map(\.username))), \(nullableText(facts.map(\.namespace))),
                        \(nullableText(facts.map(\.imageName))), \(nullableText(facts.map { $0.imageID?.uuidString })),
                        \(nullableText(facts.map(\.buildID))), \(entries.map { String(decoding: $0.data, as: UTF8.self) }))
                 AS row(event_id, log_partition, log_offset, type, occurred_at, actor, subject, request_id, username,
                        namespace, image_name, image_id, build_id, data)
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }
}
