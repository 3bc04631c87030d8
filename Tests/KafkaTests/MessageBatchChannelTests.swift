import Foundation
import Synchronization
import Testing
@testable import Kafka

@Suite("Batches pass from the poll thread to async code")
struct MessageBatchChannelTests {
    static func message(_ offset: Int64) -> KafkaMessage {
        KafkaMessage(topic: "t", partition: 0, offset: offset, key: [], value: [], headers: [])
    }

    @Test("batches arrive in order and the sequence ends after finish")
    func orderAndFinish() async {
        let channel = MessageBatchChannel(capacity: 8)
        let sender = Thread {
            for offset in 0..<5 { channel.send([Self.message(Int64(offset))]) }
            channel.finish()
        }
        sender.start()
        var offsets: [Int64] = []
        for await batch in KafkaMessageBatches(channel: channel) {
            offsets += batch.map(\.offset)
        }
        #expect(offsets == [0, 1, 2, 3, 4])
    }

    @Test("a channel dropped with batches still buffered is freed without a trap")
    func droppedWhileHoldingBatches() {
        // libdispatch traps when a semaphore is freed below its initial value;
        // a consumer stopped mid-stream (a rebuild, a shutdown) drops its channel so.
        for _ in 0..<100 {
            let channel = MessageBatchChannel(capacity: 4)
            channel.send([Self.message(0)])
            channel.send([Self.message(1)])
        }
    }

    @Test("a full channel holds the sender back until a batch is taken")
    func backPressure() async throws {
        let channel = MessageBatchChannel(capacity: 1)
        let sent = Atomic<Int>(0)
        let sender = Thread {
            for offset in 0..<3 {
                channel.send([Self.message(Int64(offset))])
                sent.add(1, ordering: .relaxed)
            }
        }
        sender.start()
        try await Task.sleep(for: .milliseconds(200))
        #expect(sent.load(ordering: .relaxed) == 1, "the second send waits for space")
        _ = await channel.next()
        try await Task.sleep(for: .milliseconds(200))
        #expect(sent.load(ordering: .relaxed) == 2)
        _ = await channel.next()
        _ = await channel.next()
        channel.finish()
        #expect(await channel.next() == nil)
    }
}
