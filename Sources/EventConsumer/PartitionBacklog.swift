import RegistryDomain
import Synchronization

/// The records of one partition received but not applied yet, in offset
/// order, between the consumer and that partition's worker.
///
/// Past ``pauseAbove`` records it asks for the partition to be paused (the
/// consumer then stops fetching it); once its worker has taken it down to
/// half of that, for it to be resumed. Other partitions are never held up.
final class PartitionBacklog: Sendable {
    /// Records held before the partition is paused.
    static let pauseAbove = 50_000

    private struct State {
        var records: [LogRecord] = []
        var waiter: CheckedContinuation<[LogRecord]?, Never>?
        var paused = false
        var finished = false
        /// The most records the worker takes at once (set by ``take(upTo:)``).
        var limit = 0

        /// Removes and returns up to `limit` of the oldest records.
        mutating func take() -> [LogRecord] {
            let count = min(limit, records.count)
            defer { records.removeFirst(count) }
            return Array(records.prefix(count))
        }
    }

    private let state = Mutex(State())

    /// Adds records; returns whether the partition should now be paused.
    func append(_ records: [LogRecord]) -> Bool {
        let (waiter, taken, pause): (CheckedContinuation<[LogRecord]?, Never>?, [LogRecord], Bool) = state.withLock {
            state in
            guard !state.finished else { return (nil, [], false) }
            state.records += records
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, state.take(), false)
            }
            let pause = !state.paused && state.records.count > Self.pauseAbove
            if pause { state.paused = true }
            return (nil, [], pause)
        }
        waiter?.resume(returning: taken)
        return pause
    }

    /// Up to `limit` records, waiting until some arrive, and whether the
    /// partition should now be resumed; `nil` once finished.
    func take(upTo limit: Int) async -> (records: [LogRecord], resume: Bool)? {
        let records: [LogRecord]? = await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [LogRecord]?? in
                state.limit = limit
                if state.finished { return .some(nil) }
                guard state.records.isEmpty else { return .some(state.take()) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        guard let records else { return nil }
        let resume = state.withLock { state in
            guard state.paused, state.records.count <= Self.pauseAbove / 2 else { return false }
            state.paused = false
            return true
        }
        return (records, resume)
    }

    /// Ends the backlog: records still held are dropped (they are read again
    /// from the stored position) and a waiting worker is woken.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            state.records = []
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    var isFinished: Bool { state.withLock { $0.finished } }
}
