import Kafka
import RegistryDomain

/// The event log as the projection reads it: batches of records from the
/// partitions the consumer group assigned to this replica. The projection
/// depends on this, not on a Kafka consumer, so its run loop is tested
/// against an in-memory log (`RegistryTesting`); ``KafkaEventLogReader``
/// is the one the services run.
public protocol EventLogReader: Sendable {
    /// The records read, in batches; within a partition in offset order.
    /// The sequence ends once ``run()`` has returned.
    var batches: LogRecordBatches { get }

    /// Reads until shutdown.
    func run() async throws

    /// Stops fetching `partitions` (their backlog is large) until resumed.
    func pause(_ partitions: [Int32])

    func resume(_ partitions: [Int32])

    /// Tells the log's own tools how far the projection got; where each
    /// partition resumes is the read model's to say, not this.
    func commit(_ nextOffsets: [Int32: Int64])
}

/// The batches an ``EventLogReader`` delivers.
public struct LogRecordBatches: AsyncSequence, Sendable {
    public typealias Element = [LogRecord]

    private let next: @Sendable () async -> [LogRecord]?

    /// - Parameter next: the next batch, or `nil` once there are no more.
    public init(next: @escaping @Sendable () async -> [LogRecord]?) {
        self.next = next
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let next: @Sendable () async -> [LogRecord]?

        public mutating func next() async -> [LogRecord]? {
            await next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(next: next)
    }
}
