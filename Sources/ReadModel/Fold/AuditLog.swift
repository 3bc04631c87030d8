import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The entries of `audit_events` for a batch of applied events, written in
/// one statement.
///
/// The statement numbers the entries in log order from the shared counter
/// `audit_sequence`, whose row it keeps locked until the transaction
/// commits: projections of other partitions number theirs after this
/// commit, so entries become visible in sequence order and a reader paging
/// by sequence never skips one that commits later.
struct AuditLog {
    private var entries: [EventApplier.Entry] = []
    private var refusals: [UUID: Refusal] = [:]
    private var standIns: [UUID: UUID] = [:]

    mutating func record(_ entry: EventApplier.Entry) {
        entries.append(entry)
    }

    /// Marks a recorded entry as refused by the fold, with the reason.
    mutating func reject(_ entry: EventApplier.Entry, _ refusal: Refusal) {
        refusals[entry.envelope.id] = refusal
    }

    /// Marks a recorded `image-created` whose bytes already were the newest
    /// version of its name: its entry names that version's image, the one
    /// the registration stands for.
    mutating func unchanged(_ eventID: UUID, standsFor imageID: UUID) {
        standIns[eventID] = imageID
    }

    /// The fold's refusal of the event `id` of this batch, if it refused it.
    func refusal(of id: UUID) -> Refusal? { refusals[id] }

    /// The image an unchanged `image-created` of this batch stands for.
    func standIn(for id: UUID) -> UUID? { standIns[id] }

    /// Writes every entry; `data` is the record's value exactly as it is in
    /// the log.
    func write(on connection: PostgresConnection, logger: Logger) async throws {
        guard !entries.isEmpty else { return }
        let envelopes = entries.map(\.envelope)
        let facts = envelopes.map { envelope in
            var facts = AuditFacts(envelope.event, subject: envelope.subject)
            if let standIn = standIns[envelope.id] { facts.imageID = standIn }
            return facts
        }
        try await connection.query(
            """
            WITH counter AS (
                UPDATE audit_sequence SET last = last + \(Int64(entries.count))
                RETURNING last - \(Int64(entries.count)) AS before)
            INSERT INTO audit_events (sequence, event_id, log_partition, log_offset, type, occurred_at, actor, subject,
                                      request_id, username, namespace, image_name, image_id, build_id, data,
                                      rejected)
            SELECT counter.before + row.ordinal, event_id, log_partition, log_offset, type, occurred_at, actor, subject,
                   NULLIF(request_id, ''), NULLIF(username, ''), NULLIF(namespace, ''), NULLIF(image_name, ''), NULLIF(image_id, '')::uuid,
                   NULLIF(build_id, ''), data::jsonb, NULLIF(rejected, '')
            FROM unnest(\(envelopes.map(\.id)), \(entries.map(\.position.partition)), \(entries.map(\.position.offset)),
                        \(envelopes.map(\.type.rawValue)), \(envelopes.map(\.time)), \(envelopes.map(\.actor.value)),
                        \(envelopes.map(\.subject)), \(nullableText(envelopes.map(\.requestID))),
                        \(nullableText(facts.map(\.username))), \(nullableText(facts.map(\.namespace))),
                        \(nullableText(facts.map(\.imageName))), \(nullableText(facts.map { $0.imageID?.uuidString })),
                        \(nullableText(facts.map(\.buildID))), \(entries.map { String(decoding: $0.data, as: UTF8.self) }),
                        \(nullableText(envelopes.map { refusals[$0.id]?.reason })))
                 WITH ORDINALITY
                 AS row(event_id, log_partition, log_offset, type, occurred_at, actor, subject, request_id, username,
                        namespace, image_name, image_id, build_id, data, rejected, ordinal),
                 counter
            ON CONFLICT (event_id) DO NOTHING
            """, logger: logger)
    }
}
