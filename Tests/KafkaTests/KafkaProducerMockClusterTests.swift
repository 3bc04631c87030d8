import CRdKafka
import Logging
import Testing
@testable import Kafka

/// Producer tests against librdkafka's built-in mock cluster: no network.
@Suite("Producer on librdkafka's mock cluster")
struct KafkaProducerMockClusterTests {
    static func mockConfiguration() -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(
            client: KafkaClientConfiguration(bootstrapServers: "", additionalProperties: ["test.mock.num.brokers": "1"]))
    }

    /// Runs `body` with a producer whose poll loop is running, then stops it.
    static func withProducer(_ body: (KafkaProducer) async throws -> Void) async throws {
        let producer = try KafkaProducer(configuration: mockConfiguration(), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            defer { group.cancelAll() }
            try await body(producer)
        }
    }

    @Test("send returns once acknowledged, with increasing offsets per key")
    func sendReturnsPositions() async throws {
        try await Self.withProducer { producer in
            var positions: [KafkaRecordPosition] = []
            for index in 0..<5 {
                positions.append(try await producer.send(
                    topic: "mock-topic", key: Array("alice".utf8), value: Array("event \(index)".utf8),
                    headers: [KafkaHeader(name: "ce_id", value: [UInt8(index)])]))
            }
            #expect(Set(positions.map(\.partition)).count == 1, "one key, one partition")
            #expect(positions.map(\.offset) == Array(positions[0].offset..<positions[0].offset + 5))
        }
    }

    @Test("concurrent sends each get their own acknowledgement")
    func concurrentSends() async throws {
        try await Self.withProducer { producer in
            let positions = try await withThrowingTaskGroup(of: KafkaRecordPosition.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await producer.send(topic: "mock-topic", key: Array("user\(index % 5)".utf8), value: [1])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(positions.count == 50)
            #expect(Set(positions).count == 50, "no two records share a position")
        }
    }

    @Test("after a fatal error the client is replaced, and later records are stored")
    func replacedAfterAFatalError() async throws {
        let cluster = try MockCluster(topic: "mock-topic", partitions: 1)
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: cluster.client), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            defer { group.cancelAll() }
            _ = try await producer.send(topic: "mock-topic", key: [1], value: [1])
            let failed = producer.machine.withLock { $0.current }
            rd_kafka_test_fatal_error(failed.pointer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected by a test")
            try await eventually { producer.machine.withLock { $0.current } !== failed }
            let stored = try await producer.send(topic: "mock-topic", key: [1], value: [2])
            #expect(stored.offset >= 1)
            #expect(producer.machine.withLock { $0.state } == .running)
        }
    }

    @Test("an invalid setting is refused with its name")
    func invalidSetting() {
        let configuration = KafkaProducerConfiguration(
            client: KafkaClientConfiguration(bootstrapServers: "127.0.0.1:1", additionalProperties: ["acks": "sometimes"]))
        #expect { try KafkaProducer(configuration: configuration, logger: Logger(label: "test")) } throws: { error in
            (error as? KafkaError)?.message.contains("acks") == true
        }
    }
}
