import EventConsumer
import Foundation
import Kafka
import Logging
import PostgresNIO
import ReadModel
import RegistryHTTP
import RegistryRuntime

/// Rebuilds the read model without downtime (blue/green).
///
/// Replays the event topic from offset 0 into a new schema beside the live
/// one, built with this version's migrations, while the live projectors and
/// queries carry on. Once the copy has reached the live position in every
/// partition, ``ReadModelSwitch`` renames it into place in one transaction and
/// keeps the previous copy as `read_model_retired_<time>`. Only one rebuild
/// runs at a time; a copy left by an interrupted rebuild is dropped by the next.
public struct ReadModelRebuild: Sendable {
    /// What a finished rebuild did.
    public struct Report: Sendable, CustomStringConvertible {
        /// Records replayed into the new copy, over all partitions.
        public var records: Int64
        /// Where the previous live copy now is.
        public var retired: ReadModelSchema
        /// From the start of the rebuild to the switch.
        public var duration: Duration

        public var description: String {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return "read model rebuilt from \(records) records in \(String(format: "%.1f", seconds)) s; "
                + "the previous copy is schema \(retired)"
        }
    }

    /// The advisory lock a rebuild holds for its whole run ("rebild" in ASCII).
    static let lockKey: Int64 = 0x7265_6269_6C64

    private let settings: RegistrySettings
    private let logger: Logger
    /// How often the copy's positions are compared with the live ones.
    private let checkInterval: Duration

    /// A rebuild of the read model that `settings` name (database, topic, consumer group, migrations).
    public init(settings: RegistrySettings, logger: Logger, checkInterval: Duration = .milliseconds(250)) {
        self.settings = settings
        self.logger = logger
        self.checkInterval = checkInterval
    }

    /// Rebuilds and switches; returns once queries use the new copy.
    public func run() async throws -> Report {
        let started = ContinuousClock.now
        let stamp = Self.timestamp()
        let candidate = try ReadModelSchema("read_model_build_\(stamp)")
        let retired = try ReadModelSchema("read_model_retired_\(stamp)")
        let database = try DatabaseConfiguration(url: settings.databaseURL)
        // The pool warns when a lease precedes `run()` by a moment, which is
        // harmless here (the lease waits); only its errors are worth showing.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .error)
        // One connection holds the rebuild lock; the projection applies
        // several partitions at once, each on its own connection.
        let postgres = PostgresClient(
            configuration: database.clientConfiguration(
                maximumConnections: ProjectionService.defaultConcurrentPartitions + 1, schema: candidate),
            backgroundLogger: poolLogger)
        let projection = projection(into: candidate, postgres: postgres, consumerGroup: "\(settings.consumerGroup)-rebuild-\(stamp)")
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            return try await postgres.withConnection { connection in
                try await holdRebuildLock(on: connection)
                try await dropAbandonedCopies(on: connection)
                logger.info("rebuilding the read model", metadata: ["schema": "\(candidate)"])
                // The projection stops, and is waited for, while the pool
                // still runs: a partition worker waiting for a connection of
                // a pool that had stopped first would wait forever.
                return try await withThrowingTaskGroup(of: Void.self) { projecting in
                    projecting.addTask { try await projection.run() }
                    defer { projecting.cancelAll() }
                    try await waitUntilPromoted(candidate, retiring: retired, postgres: postgres, connection: connection)
                    let records = try await Self.recordsSeen(in: .live, on: connection, logger: logger)
                    return Report(records: records, retired: retired, duration: ContinuousClock.now - started)
                }
            }
        }
    }

    /// A projection like the live one, writing into `schema` from offset 0
    /// under its own consumer group.
    private func projection(into schema: ReadModelSchema, postgres: PostgresClient, consumerGroup: String)
        -> ProjectionService
    {
        let settings = self.settings
        let logger = self.logger
        return ProjectionService(
            store: PostgresProjectionStore(client: postgres, logger: logger), logger: logger,
            prepare: {
                try await MigrationRunner(directory: settings.migrationsDirectory, schema: schema)
                    .run(on: postgres, logger: logger)
            },
            makeReader: { handler in
                KafkaEventLogReader(consumer: try KafkaConsumer(
                    configuration: KafkaConsumerConfiguration(client: settings.kafka, groupID: consumerGroup),
                    topic: settings.topic, assignmentHandler: handler, logger: logger))
            })
    }

    private func holdRebuildLock(on connection: PostgresConnection) async throws {
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger)
        for try await locked in rows.decode(Bool.self) where !locked {
            throw ConfigurationError("another rebuild of the read model is running")
        }
    }

    /// Drops copies that interrupted rebuilds left behind (safe: this
    /// rebuild holds the lock every rebuild takes).
    private func dropAbandonedCopies(on connection: PostgresConnection) async throws {
        var abandoned: [ReadModelSchema] = []
        for try await name in try await connection.query(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_model\\_build\\_%'", logger: logger
        ).decode(String.self) {
            abandoned.append(try ReadModelSchema(name))
        }
        for schema in abandoned {
            logger.warning("dropping the copy of an interrupted rebuild", metadata: ["schema": "\(schema)"])
            try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema.identifier) CASCADE"), logger: logger)
        }
    }

    /// Compares the copy with the live read model until it has caught up,
    /// then switches. A failed attempt (the copy fell behind again while
    /// events kept arriving) just tries again.
    private func waitUntilPromoted(
        _ candidate: ReadModelSchema, retiring retired: ReadModelSchema, postgres: PostgresClient,
        connection: PostgresConnection
    ) async throws {
        while true {
            try await Task.sleep(for: checkInterval)
            guard try await Self.isMigrated(candidate, on: connection, logger: logger),
                try await ReadModelSwitch.partitionsBehind(candidate, on: connection, logger: logger).isEmpty
            else { continue }
            let behind = try await ReadModelSwitch.promote(candidate, retiring: retired, client: postgres, logger: logger)
            if behind.isEmpty {
                logger.info("switched to the rebuilt read model", metadata: ["retired": "\(retired)"])
                return
            }
        }
    }

    /// Whether the copy's migrations have run, so its positions can be compared.
    private static func isMigrated(_ schema: ReadModelSchema, on connection: PostgresConnection, logger: Logger)
        async throws -> Bool
    {
        let rows = try await connection.query(
            "SELECT to_regclass(\(schema.name + ".projection_positions")) IS NOT NULL", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    private static func recordsSeen(in schema: ReadModelSchema, on connection: PostgresConnection, logger: Logger)
        async throws -> Int64
    {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT coalesce(sum(next_offset), 0)::bigint FROM \(schema.identifier).projection_positions"),
            logger: logger)
        for try await records in rows.decode(Int64.self) { return records }
        return 0
    }

    private static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd_HHmmss"
        return formatter.string(from: Date())
    }
}
