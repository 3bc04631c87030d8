import PostgresNIO

/// The projected rows of a database, for comparing two projections. Audit
/// entries are listed per partition in sequence order, which a replay must
/// repeat; the numbers themselves depend on how partitions interleaved.
struct ReadModelSnapshot: Equatable, Sendable {
    var namespaces: [String]
    var images: [String]
    var collaborators: [String]
    var invites: [String]
    var webhooks: [String]
    var imports: [String]
    var audit: [String]
    var deadLetters: [String]
    var appliedEvents: Int64
    var recordsSeen: Int64

    /// How many records the projection has passed, over all partitions: one
    /// cheap query, for polling.
    static func recordsSeen(in url: String) async throws -> Int64 {
        try await withPostgres(url: url) { client in
            for try await value in try await client.query(Self.recordsSeenQuery).decode(Int64.self) { return value }
            return 0
        }
    }

    private static let recordsSeenQuery: PostgresQuery =
        "SELECT coalesce(sum(next_offset), 0)::bigint FROM projection_positions"

    /// The read model a projector of its own builds by replaying `topic`
    /// from offset 0 into a fresh database, once it has passed `records`.
    static func cleanReplay(of topic: String, records: Int64, timeout: Duration = .seconds(90)) async throws
        -> ReadModelSnapshot
    {
        let database = try await TestEnvironment.freshDatabase()
        let replay = try ProjectorRunner(settings: TestEnvironment.settings(databaseURL: database, topic: topic))
        try await TestEnvironment.eventually(timeout: timeout, "a clean replay passes \(records) records") {
            try await recordsSeen(in: database) == records
        }
        try await replay.stop()
        return try await read(from: database)
    }

    static func read(from url: String) async throws -> ReadModelSnapshot {
        try await withPostgres(url: url) { client in
            func strings(_ query: PostgresQuery) async throws -> [String] {
                var rows: [String] = []
                for try await text in try await client.query(query).decode(String.self) { rows.append(text) }
                return rows
            }
            func number(_ query: PostgresQuery) async throws -> Int64 {
                for try await value in try await client.query(query).decode(Int64.self) { return value }
                return 0
            }
            return ReadModelSnapshot(
                namespaces: try await strings(
                    "SELECT concat_ws('|', owner, path, visibility, description, created_at, event_id, revoked_fallback, retention) FROM namespaces ORDER BY owner, path"),
                images: try await strings(
                    """
                    SELECT concat_ws('|', id, owner, namespace_path, name, version, sha256, location, size, created_at, event_id,
                                     deleted_at, deprecated_at, deprecation_reason, replacement, revoked_at, revocation_reason)
                    FROM images ORDER BY id
                    """),
                collaborators: try await strings(
                    "SELECT concat_ws('|', owner, root_path, username, added_at, event_id) FROM collaborators ORDER BY 1"),
                invites: try await strings(
                    """
                    SELECT concat_ws('|', id, owner, root_path, username, invited_by, sent_at, state, answered_by,
                                     answered_at, event_id)
                    FROM invites ORDER BY id
                    """),
                webhooks: try await strings(
                    """
                    SELECT concat_ws('|', id, owner, path, url, array_to_string(topics, ','), active, sealed_secret,
                                     created_at, created_by, log_partition, created_offset, deleted_offset, deleted_at,
                                     event_id)
                    FROM webhooks ORDER BY id
                    """),
                imports: try await strings(
                    """
                    SELECT concat_ws('|', id, source, owner, namespace_path, name, url, sealed_credentials, sha256,
                                     requested_at, requested_by, requested_role, status, image_id, error_code,
                                     error_message, settled_at, event_id)
                    FROM imports ORDER BY id
                    """),
                audit: try await strings(
                    """
                    SELECT concat_ws('|', event_id, type, log_partition, log_offset, occurred_at, actor, subject, request_id,
                                     username, namespace, image_name, image_id, build_id, data::text, rejected)
                    FROM audit_events ORDER BY log_partition, sequence
                    """),
                deadLetters: try await strings(
                    """
                    SELECT concat_ws('|', log_partition, log_offset, encode(record_key, 'hex'), md5(record_value), reason)
                    FROM dead_letters ORDER BY log_partition, log_offset
                    """),
                appliedEvents: try await number("SELECT count(*) FROM applied_events"),
                recordsSeen: try await number(recordsSeenQuery))
        }
    }
}
