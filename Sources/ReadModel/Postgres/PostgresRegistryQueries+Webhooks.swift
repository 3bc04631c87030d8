import Foundation
import PostgresNIO
import RegistryDomain

/// ``WebhookRepository`` in PostgreSQL (the `webhooks` table and the
/// dispatcher's `registry_webhooks.deliveries`).
extension PostgresRegistryQueries {
    static let webhookColumns = """
        id, owner, path, url, topics, active, sealed_secret, created_at, created_by, log_partition, created_offset,
        deleted_offset, deleted_at
        """
    private static let deliveryColumns = """
        id, webhook_id, event_id, event_type, topic, action, body, attempts, state, status_code, duration_ms, error,
        first_sent_at, last_sent_at, retry_since, next_attempt_at
        """

    public func webhook(_ id: UUID) async throws -> WebhookRecord? {
        try await Self.webhookRecords(
            run("SELECT \(unescaped: Self.webhookColumns) FROM webhooks WHERE id = \(id)")).first
    }

    public func webhooks(of namespace: NamespaceReference) async throws -> [WebhookRecord] {
        try await Self.webhookRecords(run("""
            SELECT \(unescaped: Self.webhookColumns) FROM webhooks
            WHERE owner = \(namespace.owner.value) AND path = \(namespace.path.value) AND deleted_offset IS NULL
            ORDER BY created_at, id
            """))
    }

    public func deliveries(of webhookID: UUID, limit: Int) async throws -> [WebhookDeliveryRecord] {
        try await deliveryRecords("""
            SELECT \(unescaped: Self.deliveryColumns) FROM registry_webhooks.deliveries
            WHERE webhook_id = \(webhookID) ORDER BY first_sent_at DESC, id LIMIT \(limit)
            """)
    }

    public func delivery(_ id: UUID) async throws -> WebhookDeliveryRecord? {
        try await deliveryRecords(
            "SELECT \(unescaped: Self.deliveryColumns) FROM registry_webhooks.deliveries WHERE id = \(id)").first
    }

    /// The webhooks `rows` of ``webhookColumns`` hold.
    static func webhookRecords(_ rows: PostgresRowSequence) async throws -> [WebhookRecord] {
        var result: [WebhookRecord] = []
        let decoded = rows.decode(
            (UUID, String, String, String, [String], Bool, String?, Date, String, Int32, Int64, Int64?, Date?).self)
        for try await row in decoded {
            result.append(try StoredValue.decode {
                let topics = try row.4.map { text in
                    try WebhookTopic(rawValue: text).orThrow(
                        NameError(field: "webhooks.topics", message: "unknown topic \(text)"))
                }
                return WebhookRecord(
                    created: WebhookCreated(
                        webhookID: row.0, owner: try Username(row.1, field: "webhooks.owner"),
                        path: try NamespacePath(row.2, field: "webhooks.path"),
                        url: try WebhookURL(row.3, field: "webhooks.url"), topics: topics, active: row.5,
                        sealedSecret: row.6),
                    createdAt: row.7, createdBy: row.8, position: LogPosition(partition: row.9, offset: row.10),
                    deletedOffset: row.11, deletedAt: row.12)
            })
        }
        return result
    }

    private func deliveryRecords(_ query: PostgresQuery) async throws -> [WebhookDeliveryRecord] {
        var result: [WebhookDeliveryRecord] = []
        let rows = try await run(query).decode(
            (UUID, UUID, UUID, String, String, String, String, Int32, String, Int32?, Int32, String?, Date, Date, Date, Date)
                .self)
        for try await row in rows {
            result.append(try StoredValue.decode {
                WebhookDeliveryRecord(
                    id: row.0, webhookID: row.1, eventID: row.2, eventType: row.3,
                    topic: try WebhookTopic(rawValue: row.4).orThrow(
                        NameError(field: "deliveries.topic", message: "unknown topic \(row.4)")),
                    action: row.5, body: row.6, attempts: Int(row.7),
                    state: try WebhookDeliveryRecord.State(rawValue: row.8).orThrow(
                        NameError(field: "deliveries.state", message: "unknown state \(row.8)")),
                    statusCode: row.9.map(Int.init), durationMilliseconds: Int(row.10), error: row.11,
                    firstSentAt: row.12, lastSentAt: row.13, retrySince: row.14, nextAttemptAt: row.15)
            })
        }
        return result
    }
}
