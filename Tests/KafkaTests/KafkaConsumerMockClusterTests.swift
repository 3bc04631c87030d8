import Foundation
import Logging
import Synchronization
import Testing
@testable import Kafka

/// The group consumer against librdkafka's mock cluster: where assigned
/// partitions start, what happens while start positions cannot be loaded,
/// and how two members share a topic.
@Suite("Consumer on librdkafka's mock cluster")
struct KafkaConsumerMockClusterTests {
    static let topic = "mock-events"

    @Test("assigned partitions start exactly where the handler says")
    func startsAtTheHandlersPositions() async throws {
        let cluster = try MockCluster(topic: Self.topic, partitions: 1)
        try await Self.produce(10, to: cluster)
        let handler = RecordingHandler(positions: [0: 4])
        try await Self.consuming(cluster, handler: handler) { consumer in
            let offsets = try await Self.offsets(from: consumer, count: 6)
            #expect(offsets == Array(4..<10))
        }
    }

    @Test("a handler that fails is asked again, and polling goes on meanwhile")
    func aFailingHandlerIsRetried() async throws {
        let cluster = try MockCluster(topic: Self.topic, partitions: 1)
        try await Self.produce(3, to: cluster)
        let handler = RecordingHandler(positions: [:], failures: 2)
        try await Self.consuming(cluster, handler: handler) { consumer in
            let offsets = try await Self.offsets(from: consumer, count: 3)
            #expect(offsets == [0, 1, 2])
        }
        #expect(handler.assignCalls >= 3)
    }

    @Test("stopping while start positions cannot be loaded returns; no partition is assigned")
    func stoppingWhileTheHandlerFails() async throws {
        let cluster = try MockCluster(topic: Self.topic, partitions: 1)
        try await Self.produce(3, to: cluster)
        let handler = RecordingHandler(positions: [:], failures: .max)
        let consumer = try Self.consumer(cluster, handler: handler)
        let running = Task { try await consumer.run() }
        try await eventually { handler.assignCalls >= 2 }
        running.cancel()
        let stopped = Task {
            _ = await running.result
            return true
        }
        try await eventually(within: .seconds(20)) { await Self.isFinished(stopped) }
        var delivered = 0
        for await batch in consumer.batches { delivered += batch.count }
        #expect(delivered == 0)
    }

    @Test("two members of a group share the partitions, each exactly once")
    func twoMembersShareThePartitions() async throws {
        let cluster = try MockCluster(topic: Self.topic, partitions: 4)
        let (first, second) = (RecordingHandler(positions: [:]), RecordingHandler(positions: [:]))
        try await Self.consuming(cluster, handler: first) { _ in
            try await eventually { first.held.count == 4 }
            try await Self.consuming(cluster, handler: second) { _ in
                try await eventually(within: .seconds(30)) {
                    !first.held.isEmpty && !second.held.isEmpty && first.held.count + second.held.count == 4
                }
                #expect(first.held.isDisjoint(with: second.held))
                #expect(first.held.union(second.held) == [0, 1, 2, 3])
            }
        }
    }

    @Test("a position the log no longer holds is reported, and the consumer never skips past it")
    func aPositionBeforeTheLogStartIsReported() async throws {
        let cluster = try MockCluster(topic: Self.topic, partitions: 1)
        // The mock cluster keeps about 5 MB per partition and deletes the
        // oldest records beyond that, as retention would.
        try await Self.produce(120, to: cluster, size: 100_000)
        let handler = RecordingHandler(positions: [0: 0])
        let consumer = try Self.consumer(cluster, handler: handler)
        let running = Task { try await consumer.run() }
        try await eventually(within: .seconds(20)) { handler.outOfRange[0] != nil }
        #expect(handler.outOfRange == [0: 0])
        try await Task.sleep(for: .seconds(1))
        running.cancel()
        _ = await running.result
        var delivered = 0
        for await batch in consumer.batches { delivered += batch.count }
        #expect(delivered == 0)
    }

    // MARK: - Helpers

    static let logger: Logger = {
        var logger = Logger(label: "consumer-mock-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func consumer(_ cluster: MockCluster, handler: RecordingHandler) throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration(client: cluster.client, groupID: "mock-group")
        configuration.sessionTimeout = .seconds(6)
        return try KafkaConsumer(configuration: configuration, topic: topic, assignmentHandler: handler, logger: logger)
    }

    /// Runs a consumer while `body` runs, then stops it.
    static func consuming(
        _ cluster: MockCluster, handler: RecordingHandler, _ body: (KafkaConsumer) async throws -> Void
    ) async throws {
        let consumer = try consumer(cluster, handler: handler)
        let running = Task { try await consumer.run() }
        defer { running.cancel() }
        try await body(consumer)
        running.cancel()
        _ = await running.result
    }

    /// Sends `count` records, one at a time; each `size` bytes long when given.
    static func produce(_ count: Int, to cluster: MockCluster, size: Int? = nil) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(client: cluster.client), logger: logger)
        let running = Task { try await producer.run() }
        defer { running.cancel() }
        for index in 0..<count {
            let value = size.map { [UInt8](repeating: UInt8(index % 256), count: $0) } ?? Array("\(index)".utf8)
            _ = try await producer.send(topic: topic, key: Array("alice".utf8), value: value)
        }
    }

    /// The offsets of the first `count` records delivered.
    static func offsets(from consumer: KafkaConsumer, count: Int) async throws -> [Int64] {
        var offsets: [Int64] = []
        for await batch in consumer.batches {
            offsets += batch.map(\.offset)
            if offsets.count >= count { break }
        }
        return offsets
    }

    static func isFinished(_ task: Task<Bool, Never>) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await task.value }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(50))
                return false
            }
            defer { group.cancelAll() }
            return await group.next() ?? false
        }
    }
}

/// Answers start positions (after failing `failures` times) and records
/// what it was asked and which partitions it holds.
final class RecordingHandler: PartitionAssignmentHandler {
    private struct State {
        var failuresLeft: Int
        var assignCalls = 0
        var held: Set<Int32> = []
        var outOfRange: [Int32: Int64] = [:]
    }

    private let positions: [Int32: Int64]
    private let state: Mutex<State>

    init(positions: [Int32: Int64], failures: Int = 0) {
        self.positions = positions
        state = Mutex(State(failuresLeft: failures))
    }

    var assignCalls: Int { state.withLock { $0.assignCalls } }
    var held: Set<Int32> { state.withLock { $0.held } }
    /// The positions reported out of range, by partition.
    var outOfRange: [Int32: Int64] { state.withLock { $0.outOfRange } }

    func partitionsAssigned(_ partitions: [Int32]) async throws -> [Int32: Int64] {
        try state.withLock { state in
            state.assignCalls += 1
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw HandlerUnavailable()
            }
            state.held.formUnion(partitions)
        }
        return positions.filter { partitions.contains($0.key) }
    }

    func partitionsRevoked(_ partitions: [Int32]) async {
        state.withLock { $0.held.subtract(partitions) }
    }

    func positionOutOfRange(partition: Int32, offset: Int64, reason: String) {
        state.withLock { $0.outOfRange[partition] = offset }
    }
}

struct HandlerUnavailable: Error {}

/// Waits until `condition` holds; records an issue if it does not within `limit`.
func eventually(
    within limit: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: limit)
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("the condition did not hold within \(limit)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
