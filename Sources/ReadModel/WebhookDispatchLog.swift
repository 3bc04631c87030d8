import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// What the webhook dispatcher reads from the read model and keeps of its
/// own (`registry_webhooks`): where it is in each partition, and each
/// delivery with its latest attempt.
public protocol WebhookDispatchLog: Sendable {
    /// The next offset the dispatcher handles, for each partition it has seen.
    func storedPositions() async throws -> [Int32: Int64]

    /// The next offset the projection will apply in `partition`.
    func projectedOffset(partition: Int32) async throws -> Int64

    /// Whether the fold applied event `id` (`true`), refused it (`false`), or
    /// has not reached it (`nil`).
    func wasApplied(_ id: UUID) async throws -> Bool?

    /// The active webhooks of `owner` on any of `paths` that were live at
    /// `position`.
    func webhooks(of owner: Username, on paths: [NamespacePath], liveAt position: LogPosition) async throws
        -> [WebhookRecord]

    /// One webhook, live or deleted.
    func webhook(_ id: UUID) async throws -> WebhookRecord?

    /// One image version.
    func image(_ id: UUID) async throws -> ImageRecord?

    /// One delivery and the event whose handling last set it.
    func delivery(_ id: UUID) async throws -> (WebhookDeliveryRecord, handledEventID: UUID)?

    /// Records `delivery`'s latest attempt, as set by handling event `handledEventID`.
    func record(_ delivery: WebhookDeliveryRecord, handledEventID: UUID) async throws

    /// Moves `partition` past `offset`, never back.
    func advance(partition: Int32, past offset: Int64) async throws
}

/// ``WebhookDispatchLog`` in PostgreSQL.
public struct PostgresWebhookDispatchLog: WebhookDispatchLog {
    private let client: PostgresClient
    private let queries: PostgresRegistryQueries
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.queries = PostgresRegistryQueries(client: client, logger: logger)
        self.logger = logger
    }

    public func storedPositions() async throws -> [Int32: Int64] {
        var positions: [Int32: Int64] = [:]
        let rows = try await client.query(
            "SELECT log_partition, next_offset FROM registry_webhooks.positions", logger: logger)
        for try await (partition, offset) in rows.decode((Int32, Int64).self) { positions[partition] = offset }
        return positions
    }

    public func projectedOffset(partition: Int32) async throws -> Int64 {
        try await queries.projectedOffset(partition: partition)
    }

    public func wasApplied(_ id: UUID) async throws -> Bool? {
        let rows = try await client.query(
            "SELECT rejected IS NULL FROM audit_events WHERE event_id = \(id)", logger: logger)
        for try await applied in rows.decode(Bool.self) { return applied }
        return nil
    }

    public func webhooks(of owner: Username, on paths: [NamespacePath], liveAt position: LogPosition) async throws
        -> [WebhookRecord]
    {
        let rows = try await client.query(
            """
            SELECT \(unescaped: PostgresRegistryQueries.webhookColumns) FROM webhooks
            WHERE owner = \(owner.value) AND path = ANY(\(paths.map(\.value))) AND active
              AND log_partition = \(position.partition) AND created_offset < \(position.offset)
              AND (deleted_offset IS NULL OR deleted_offset >= \(position.offset))
            ORDER BY created_offset
            """, logger: logger)
        return try await PostgresRegistryQueries.webhookRecords(rows)
    }

    public func webhook(_ id: UUID) async throws -> WebhookRecord? {
        try await queries.webhook(id)
    }

    public func image(_ id: UUID) async throws -> ImageRecord? {
        try await queries.image(id: id)
    }

    public func delivery(_ id: UUID) async throws -> (WebhookDeliveryRecord, handledEventID: UUID)? {
        guard let delivery = try await queries.delivery(id) else { return nil }
        let rows = try await client.query(
            "SELECT handled_event_id FROM registry_webhooks.deliveries WHERE id = \(id)", logger: logger)
        for try await handled in rows.decode(UUID.self) { return (delivery, handled) }
        return nil
    }

    public func record(_ delivery: WebhookDeliveryRecord, handledEventID: UUID) async throws {
        try await client.query(
            """
            INSERT INTO registry_webhooks.deliveries
                (id, webhook_id, event_id, event_type, topic, action, body, attempts, state, handled_event_id,
                 status_code, duration_ms, error, first_sent_at, last_sent_at, retry_since, next_attempt_at)
            VALUES (\(delivery.id), \(delivery.webhookID), \(delivery.eventID), \(delivery.eventType),
                    \(delivery.topic.rawValue), \(delivery.action), \(delivery.body), \(Int32(delivery.attempts)),
                    \(delivery.state.rawValue), \(handledEventID), \(delivery.statusCode.map(Int32.init)),
                    \(Int32(clamping: delivery.durationMilliseconds)), \(delivery.error), \(delivery.firstSentAt),
                    \(delivery.lastSentAt), \(delivery.retrySince), \(delivery.nextAttemptAt))
            ON CONFLICT (id) DO UPDATE SET
                attempts = EXCLUDED.attempts, state = EXCLUDED.state, handled_event_id = EXCLUDED.handled_event_id,
                status_code = EXCLUDED.status_code, duration_ms = EXCLUDED.duration_ms, error = EXCLUDED.error,
                last_sent_at = EXCLUDED.last_sent_at, retry_since = EXCLUDED.retry_since,
                next_attempt_at = EXCLUDED.next_attempt_at
            """, logger: logger)
    }

    public func advance(partition: Int32, past offset: Int64) async throws {
        try await client.query(
            """
            INSERT INTO registry_webhooks.positions (log_partition, next_offset) VALUES (\(partition), \(offset + 1))
            ON CONFLICT (log_partition) DO UPDATE
            SET next_offset = greatest(registry_webhooks.positions.next_offset, EXCLUDED.next_offset), updated_at = now()
            """, logger: logger)
    }
}
