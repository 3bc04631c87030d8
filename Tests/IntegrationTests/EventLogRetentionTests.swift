import Foundation
import Hummingbird
import HummingbirdTesting
import IngestService
import Kafka
import ProjectorService
import RegistryAuth
import RegistryRuntime
import Testing

/// The event topic keeps every record forever, and a replica refuses to
/// serve on one that does not, against the real broker.
@Suite("The event log is kept forever")
struct EventLogRetentionTests {
    @Test("a topic the services create keeps every record forever")
    func aCreatedTopicKeepsEveryRecord() async throws {
        let topic = TestEnvironment.uniqueName("registry-test")
        let settings = try TestEnvironment.settings(databaseURL: try await TestEnvironment.freshDatabase(), topic: topic)
        let ingest = try await buildIngestApplication(settings: settings, logger: TestEnvironment.logger)
        try await ingest.test(.live) { client in
            try await TestEnvironment.eventually(timeout: .seconds(60), "the ingest is ready") {
                try await client.execute(uri: "/readyz", method: .get).status == .ok
            }
        }
        let reported = try await KafkaAdmin.topicConfiguration(topic, configuration: TestEnvironment.kafka())
        #expect(reported["retention.ms"]?.value == "-1")
        #expect(reported["retention.bytes"]?.value == "-1")
        #expect(reported["cleanup.policy"]?.value == "delete")
        #expect(reported["min.insync.replicas"]?.value == "1")
        #expect(EventLogRetention(reported: reported) == .forever)
    }

    @Test("on a topic that deletes records after 7 days neither service becomes ready, and /readyz says why")
    func aSevenDayTopicIsRefused() async throws {
        let topic = TestEnvironment.uniqueName("registry-test")
        var week = KafkaTopicConfiguration(partitions: 2, replicationFactor: 1)
        week.additionalProperties = ["retention.ms": "604800000"]
        try await KafkaAdmin.createTopic(topic, week, configuration: TestEnvironment.kafka())
        var settings = try TestEnvironment.settings(
            databaseURL: try await TestEnvironment.freshDatabase(), topic: topic, partitions: 2)
        let reason = "retention.ms=604800000 deletes records after 7 days"

        try await withBothServices(settings) { ingest, projector in
            for client in [ingest, projector] {
                try await TestEnvironment.eventually(timeout: .seconds(30), "/readyz names the retention") {
                    let answer = try await client.execute(uri: "/readyz", method: .get)
                    return answer.status == .serviceUnavailable && String(buffer: answer.body).contains(reason)
                }
            }
            let command = try await ingest.execute(
                uri: "/v1/namespaces", method: .post,
                headers: [.authorization: "Bearer \(try await TestEnvironment.token("alice", [.namespaceWrite]))",
                          .contentType: "application/json"],
                body: ByteBuffer(string: #"{"path": "team"}"#))
            #expect(command.status == .serviceUnavailable)
        }

        // The operator may accept losing history; then both serve.
        settings.allowFiniteRetention = true
        try await withBothServices(settings) { ingest, projector in
            for client in [ingest, projector] {
                try await TestEnvironment.eventually(timeout: .seconds(60), "ready once allowed") {
                    try await client.execute(uri: "/readyz", method: .get).status == .ok
                }
            }
        }
    }

    /// Runs an ingest and a projector with `settings`, live, for `body`.
    private func withBothServices(
        _ settings: RegistrySettings, _ body: @Sendable (any TestClientProtocol, any TestClientProtocol) async throws -> Void
    ) async throws {
        let ingest = try await buildIngestApplication(settings: settings, logger: TestEnvironment.logger)
        let projector = try await buildProjectorApplication(settings: settings, logger: TestEnvironment.logger)
        try await ingest.test(.live) { ingest in
            try await projector.test(.live) { projector in
                try await body(ingest, projector)
            }
        }
    }
}
