import Foundation
import Kafka
import Synchronization
import Testing

/// The librdkafka wrapper against the real broker.
@Suite("Kafka wrapper on the real broker")
struct KafkaBrokerTests {
    /// Hands out fixed start positions and remembers what it was asked.
    final class FixedPositions: PartitionAssignmentHandler {
        let positions: [Int32: Int64]
        let assigned = Mutex<[Int32]>([])

        init(_ positions: [Int32: Int64]) {
            self.positions = positions
        }

        func partitionsAssigned(_ partitions: [Int32]) async throws -> [Int32: Int64] {
            assigned.withLock { $0 += partitions }
            return positions
        }

        func partitionsRevoked(_ partitions: [Int32]) async {}

        func positionOutOfRange(partition: Int32, offset: Int64, reason: String) {
            Issue.record("partition \(partition) reported out of range at \(offset): \(reason)")
        }
    }

    @Test("a consumer starts each partition at the position its handler gives, with headers intact")
    func seeksToHandlerPositions() async throws {
        let topic = try await TestEnvironment.freshTopic(partitions: 1)
        let configuration = try TestEnvironment.kafka()
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(client: configuration), logger: TestEnvironment.logger)
        let handler = FixedPositions([0: 6])
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(client: configuration, groupID: TestEnvironment.uniqueName("group")),
            topic: topic,
            assignmentHandler: handler, logger: TestEnvironment.logger)

        let messages = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            group.addTask { try await consumer.run() }
            defer { group.cancelAll() }
            var offsets: [Int64] = []
            for index in 0..<10 {
                let position = try await producer.send(
                    topic: topic, key: Array("k".utf8), value: Array("value \(index)".utf8),
                    headers: [KafkaHeader(name: "ce_id", value: Array("id-\(index)".utf8))])
                offsets.append(position.offset)
            }
            #expect(offsets == Array(0..<10), "a fresh partition numbers records from 0")
            var messages: [KafkaMessage] = []
            for await batch in consumer.batches {
                messages += batch
                if messages.count >= 4 { break }
            }
            return messages
        }
        #expect(handler.assigned.withLock { $0 } == [0])
        #expect(messages.map(\.offset) == [6, 7, 8, 9])
        #expect(messages.first.map { String(decoding: $0.value, as: UTF8.self) } == "value 6")
        #expect(messages.first?.headers == [KafkaHeader(name: "ce_id", value: Array("id-6".utf8))])
        #expect(messages.first?.key == Array("k".utf8))
    }

    @Test("creating a topic that exists is not an error")
    func createTopicTwice() async throws {
        let topic = try await TestEnvironment.freshTopic(partitions: 2)
        try await KafkaAdmin.createTopic(
            topic, KafkaTopicConfiguration(partitions: 2, replicationFactor: 1), configuration: TestEnvironment.kafka())
    }

    @Test("a broker that does not answer fails the send instead of hanging")
    func unreachableBroker() async throws {
        var configuration = KafkaProducerConfiguration(client: KafkaClientConfiguration(bootstrapServers: "127.0.0.1:1"))
        configuration.messageTimeout = .milliseconds(1500)
        let producer = try KafkaProducer(configuration: configuration, logger: TestEnvironment.logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await producer.run() }
            defer { group.cancelAll() }
            await #expect { _ = try await producer.send(topic: "nowhere", key: [1], value: [1]) } throws: { error in
                (error as? KafkaError)?.isTransient == true
            }
        }
    }
}
