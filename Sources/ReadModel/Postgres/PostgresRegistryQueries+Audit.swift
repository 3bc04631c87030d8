import Foundation
import PostgresNIO
import RegistryDomain

/// ``AuditRepository`` in PostgreSQL (the `audit_events` table).
extension PostgresRegistryQueries {
    static let auditColumns = "sequence, event_id, log_partition, log_offset, type, occurred_at, actor, request_id, data::text, rejected, image_id"

    public func appliedEvents(ids: [UUID]) async throws -> [UUID: AuditEntry] {
        guard !ids.isEmpty else { return [:] }
        let entries = try await auditEntries(
            "SELECT \(unescaped: Self.auditColumns) FROM audit_events WHERE event_id = ANY(\(ids))")
        return Dictionary(entries.map { ($0.eventID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await auditEntries("""
            SELECT \(unescaped: Self.auditColumns)
            FROM audit_events
            WHERE (\(filter.type?.rawValue)::text IS NULL OR type = \(filter.type?.rawValue))
              AND (\(filter.namespace)::text IS NULL OR namespace = \(filter.namespace))
              AND (\(filter.imageID)::uuid IS NULL OR image_id = \(filter.imageID))
              AND (\(filter.buildID)::text IS NULL OR build_id = \(filter.buildID))
              AND (\(filter.user)::text IS NULL OR username = \(filter.user))
              AND (\(filter.since)::timestamptz IS NULL OR occurred_at >= \(filter.since))
              AND (\(filter.until)::timestamptz IS NULL OR occurred_at < \(filter.until))
              AND (\(filter.visibleTo)::text IS NULL OR username = \(filter.visibleTo) OR actor = \(filter.visibleTo)
                   OR subject = \(filter.visibleTo))
              AND (\(filter.after)::bigint IS NULL OR sequence > \(filter.after))
            ORDER BY sequence
            LIMIT \(filter.limit)
            """)
    }

    private func auditEntries(_ query: PostgresQuery) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        let rows = try await run(query)
        for try await row in rows.decode((Int64, UUID, Int32, Int64, String, Date, String, String?, String, String?, UUID?).self) {
            entries.append(AuditEntry(
                sequence: row.0, eventID: row.1, position: LogPosition(partition: row.2, offset: row.3), type: row.4,
                occurredAt: row.5, actor: row.6, requestID: row.7, data: row.8, rejected: row.9,
                imageID: row.10))
        }
        return entries
    }
}
