import Foundation
import Kafka
import Logging
import PostgresNIO
import ReadModel
import RegistryAuth
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import Testing

/// The real PostgreSQL and Kafka-compatible broker that `scripts/test` starts,
/// and fresh, isolated resources on them for each test.
enum TestEnvironment {
    static let jwtSecret = "integration-test-secret-0123456789abcdef"
    static let logger: Logger = {
        var logger = Logger(label: "integration-test")
        logger.logLevel = serviceLogLevel.flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// `REGISTRY_TEST_SERVICE_LOG_LEVEL` (for example `debug`) makes the
    /// services the tests run, in process or not, log more than warnings.
    static let serviceLogLevel = ProcessInfo.processInfo.environment["REGISTRY_TEST_SERVICE_LOG_LEVEL"]

    static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("migrations")

    /// A variable `scripts/test` sets. Missing means the tests were started
    /// without their services: that fails, it is never skipped.
    static func required(_ name: String) throws -> String {
        try #require(
            ProcessInfo.processInfo.environment[name],
            "\(name) is not set: run the tests with scripts/test, which starts PostgreSQL and the broker")
    }

    static func kafka() throws -> KafkaClientConfiguration {
        KafkaClientConfiguration(bootstrapServers: try required("REGISTRY_TEST_KAFKA_BROKERS"))
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))"
    }

    /// Creates an empty database and returns its URL.
    static func freshDatabase() async throws -> String {
        let adminURL = try required("REGISTRY_TEST_DATABASE_URL")
        let name = uniqueName("registry_test")
        try await withPostgres(url: adminURL) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var components = try #require(URLComponents(string: adminURL))
        components.path = "/\(name)"
        return try #require(components.string)
    }

    /// Creates a topic with `partitions` partitions and returns its name.
    static func freshTopic(partitions: Int32 = 4) async throws -> String {
        let topic = uniqueName("registry-test")
        try await KafkaAdmin.createTopic(
            topic, KafkaTopicConfiguration(partitions: partitions, replicationFactor: 1), configuration: kafka())
        return topic
    }

    /// Settings for services on `database` and `topic`, in their own consumer group.
    static func settings(databaseURL: String, topic: String, partitions: Int32 = 4, group: String? = nil) throws
        -> RegistrySettings
    {
        var settings = RegistrySettings(
            host: "127.0.0.1", ingestPort: 0, projectorPort: 0, databaseURL: databaseURL,
            kafkaBrokers: try required("REGISTRY_TEST_KAFKA_BROKERS"), topic: topic, topicPartitions: partitions,
            consumerGroup: group ?? uniqueName("group"), tokenKeys: .sharedSecret(jwtSecret), waitTimeout: .seconds(20),
            migrationsDirectory: migrationsDirectory)
        // Only the webhook suites deliver webhooks, each in a group of its own.
        settings.outbound.dispatchWebhooks = false
        settings.outbound.webhookGroup = uniqueName("webhooks")
        return settings
    }

    static func token(_ user: String, _ scopes: [Scope]) async throws -> String {
        try await TokenVerifier(hmacSecret: jwtSecret).token(username: Username(user), scopes: scopes)
    }

    /// Runs `body` with a running producer on the test broker, then stops it.
    static func withProducer<Result>(_ body: (KafkaProducer) async throws -> Result) async throws -> Result {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: kafka()), logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            defer { group.cancelAll() }
            return try await body(producer)
        }
    }

    /// Writes envelopes to the topic as the ingest service would, in order.
    static func publish(_ envelopes: some Sequence<EventEnvelope>, with producer: KafkaProducer, topic: String)
        async throws
    {
        for envelope in envelopes {
            let record = CloudEventsCodec.encode(envelope)
            _ = try await producer.send(
                topic: topic, key: record.key, value: record.value,
                headers: record.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
        }
    }

    /// Polls `condition` until it holds or `timeout` passes. An error counts
    /// as "not yet" (a table may not exist before the migrations ran). The
    /// description is read when the wait fails, so it can report the last
    /// state the condition saw.
    static func eventually(
        timeout: Duration = .seconds(30), _ description: @autoclosure () -> String, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if try await condition() { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting until \(description()); last error: \(lastError.map { String(reflecting: $0) } ?? "none")")
        throw CancellationError()
    }
}

/// Runs `body` with a connected PostgresNIO client, then shuts the client down.
@discardableResult
func withPostgres<Result: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> Result) async throws
    -> Result
{
    let configuration = try DatabaseConfiguration(url: url).clientConfiguration(maximumConnections: 4)
    // The body may lease a connection a moment before `run()` starts, which
    // the pool reports as a warning on its background logger although the
    // lease simply waits; only its errors matter here.
    var poolLogger = TestEnvironment.logger
    poolLogger.logLevel = .error
    let client = PostgresClient(configuration: configuration, backgroundLogger: poolLogger)
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
            await client.run()
            return nil
        }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

