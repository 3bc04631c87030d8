import Dispatch
import Synchronization

/// Hands batches of messages from the consumer's poll thread to async code.
///
/// It holds at most `capacity` batches: when full, ``send(_:)`` blocks the
/// poll thread (never a concurrency-pool thread), which is the consumer's
/// back-pressure.
final class MessageBatchChannel: Sendable {
    private struct State {
        var buffer: [[KafkaMessage]] = []
        var waiter: CheckedContinuation<[KafkaMessage]?, Never>?
        var finished = false
    }

    private let state = Mutex(State())
    private let space: DispatchSemaphore

    init(capacity: Int) {
        // Starts at zero and is raised to `capacity`: libdispatch traps when a
        // semaphore is freed below the value it was created with, which is
        // what a consumer dropped with batches still buffered would do.
        space = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { space.signal() }
    }

    /// Called on the poll thread; blocks while the channel is full.
    func send(_ batch: [KafkaMessage]) {
        space.wait()
        let waiter: CheckedContinuation<[KafkaMessage]?, Never>? = state.withLock { state in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(batch)
            return nil
        }
        if let waiter {
            space.signal()
            waiter.resume(returning: batch)
        }
    }

    /// Ends the sequence once buffered batches are taken; wakes a blocked sender.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.buffer.isEmpty ? state.waiter : nil
        }
        waiter?.resume(returning: nil)
        space.signal()
    }

    /// The next batch, or `nil` once finished and drained.
    func next() async -> [KafkaMessage]? {
        await withCheckedContinuation { continuation in
            let ready: [KafkaMessage]?? = state.withLock { state in
                if !state.buffer.isEmpty {
                    return .some(state.buffer.removeFirst())
                }
                if state.finished {
                    return .some(nil)
                }
                state.waiter = continuation
                return nil
            }
            if let ready {
                if ready != nil { space.signal() }
                continuation.resume(returning: ready)
            }
        }
    }
}

/// The batches a ``KafkaConsumer`` delivers, in partition order.
public struct KafkaMessageBatches: AsyncSequence, Sendable {
    public typealias Element = [KafkaMessage]
    let channel: MessageBatchChannel

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: MessageBatchChannel

        public mutating func next() async -> [KafkaMessage]? {
            await channel.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel)
    }
}
