import Foundation
import Synchronization

/// Runs blocking librdkafka calls on a thread of their own, so they never
/// occupy a thread of the Swift concurrency pool.
enum DedicatedThread {
    /// Runs `body` on a new thread and returns when it has finished.
    static func run<Result: Sendable>(name: String, _ body: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.name = name
            thread.start()
        }
    }
}

/// A flag a loop on a dedicated thread checks to know when to stop.
final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    func stop() { stopped.store(true, ordering: .releasing) }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }
}
