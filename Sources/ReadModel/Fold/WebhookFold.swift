import Foundation
import Logging
import PostgresNIO
import RegistryDomain

/// The fold of `webhook-created`, `webhook-deleted` and
/// `webhook-redelivery-requested` (the rules are ``AccessPolicy``'s). A
/// webhook keeps the log positions it lived between, which the dispatcher
/// reads to send each event to the webhooks live at its position.
enum WebhookFold {
    typealias Entry = EventApplier.Entry

    static func create(
        _ created: WebhookCreated, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let envelope = entry.envelope
        let (owner, path) = (created.owner.value, created.path.value)
        if let refusal = AccessPolicy.refusal(
            ofCreating: created,
            namespaceExists: try await FoldState.namespaceExists(owner: owner, path: path, on: connection, logger: logger),
            idTaken: try await stored(created.webhookID, on: connection, logger: logger) != nil,
            subject: envelope.subject, viewer: envelope.actorViewer)
        {
            return audit.reject(entry, refusal)
        }
        try await connection.query(
            """
            INSERT INTO webhooks (id, owner, path, url, topics, active, sealed_secret, created_at, created_by,
                                  log_partition, created_offset, event_id)
            VALUES (\(created.webhookID), \(owner), \(path), \(created.url.value), \(created.topics.map(\.rawValue)),
                    \(created.active), \(created.sealedSecret), \(envelope.time), \(envelope.actor.value),
                    \(entry.position.partition), \(entry.position.offset), \(envelope.id))
            """, logger: logger)
    }

    static func delete(
        _ deleted: WebhookDeleted, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        if let refusal = try await refusal(ofChanging: deleted.webhookID, owner: deleted.owner, entry, connection, logger) {
            return audit.reject(entry, refusal)
        }
        try await connection.query(
            """
            UPDATE webhooks SET deleted_offset = \(entry.position.offset), deleted_at = \(entry.envelope.time)
            WHERE id = \(deleted.webhookID)
            """, logger: logger)
    }

    /// A redelivery changes nothing in the read model: the dispatcher acts
    /// on the event once the fold has accepted it.
    static func checkRedelivery(
        _ request: WebhookRedeliveryRequested, entry: Entry, audit: inout AuditLog, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        if let refusal = try await refusal(ofChanging: request.webhookID, owner: request.owner, entry, connection, logger) {
            audit.reject(entry, refusal)
        }
    }

    private static func refusal(
        ofChanging id: UUID, owner: Username, _ entry: Entry, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> Refusal? {
        AccessPolicy.refusal(
            ofChangingWebhook: id, owner: owner, stored: try await stored(id, on: connection, logger: logger),
            subject: entry.envelope.subject, viewer: entry.envelope.actorViewer)
    }

    /// Ends the webhooks of the namespace at `path` of `owner` and of every
    /// namespace below it, at the position of the namespace's deletion.
    static func endWebhooks(
        of owner: String, below path: String, entry: Entry, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE webhooks SET deleted_offset = \(entry.position.offset), deleted_at = \(entry.envelope.time)
            WHERE owner = \(owner) AND deleted_offset IS NULL AND (path = \(path) OR starts_with(path, \(path + "/")))
            """, logger: logger)
    }

    private static func stored(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws
        -> StoredWebhook?
    {
        let rows = try await connection.query(
            "SELECT owner, path, deleted_offset IS NOT NULL FROM webhooks WHERE id = \(id)", logger: logger)
        for try await (owner, path, deleted) in rows.decode((String, String, Bool).self) {
            guard let owner = try? Username(owner), let path = try? NamespacePath(path) else { return nil }
            return StoredWebhook(owner: owner, path: path, isDeleted: deleted)
        }
        return nil
    }
}
