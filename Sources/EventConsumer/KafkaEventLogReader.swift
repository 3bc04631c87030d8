import Kafka
import RegistryDomain

/// ``EventLogReader`` over a Kafka group consumer of the event topic.
public struct KafkaEventLogReader: EventLogReader {
    private let consumer: KafkaConsumer

    public init(consumer: KafkaConsumer) {
        self.consumer = consumer
    }

    public var batches: LogRecordBatches {
        let messages = consumer.batches
        return LogRecordBatches {
            var iterator = messages.makeAsyncIterator()
            return await iterator.next().map(Self.records)
        }
    }

    public func run() async throws {
        try await consumer.run()
    }

    public func pause(_ partitions: [Int32]) {
        consumer.pause(partitions)
    }

    public func resume(_ partitions: [Int32]) {
        consumer.resume(partitions)
    }

    public func commit(_ nextOffsets: [Int32: Int64]) {
        consumer.commit(nextOffsets)
    }

    /// Messages as log records, in offset order within each partition.
    private static func records(_ messages: [KafkaMessage]) -> [LogRecord] {
        messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }.map { message in
            LogRecord(
                position: LogPosition(partition: message.partition, offset: message.offset),
                encoded: EncodedEvent(
                    key: message.key,
                    headers: message.headers.map { EncodedEvent.Header(name: $0.name, value: $0.value) },
                    value: message.value))
        }
    }
}
