import HTTPTypes
import Hummingbird
import ReadModel
import RegistryDomain
import Synchronization

/// Read-your-writes: waits, up to a bound, until the read model has applied
/// the event at a given log position.
///
/// The read model's position in a partition never moves back (a rebuild
/// switches only to a copy at or past it), so a position once seen reached
/// is remembered and later requests for it or an earlier one need no query.
public struct ProjectionWaiter: Sendable {
    private let queries: any ProjectionPositions
    private let timeout: Duration
    private let pollInterval: Duration
    private let reached = ReachedOffsets()

    public init(queries: any ProjectionPositions, timeout: Duration, pollInterval: Duration = .milliseconds(10)) {
        self.queries = queries
        self.timeout = timeout
        self.pollInterval = pollInterval
    }

    /// Returns once `position` is applied; 504 when the bound passes first.
    public func waitUntilProjected(_ position: LogPosition) async throws {
        guard !reached.contains(position) else { return }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while try await reached.record(queries.projectedOffset(partition: position.partition), in: position.partition)
            <= position.offset
        {
            guard ContinuousClock.now < deadline else {
                throw APIError.gatewayTimeout(
                    "the read model has not reached position \(position) within \(timeout); retry later")
            }
            try await Task.sleep(for: pollInterval)
        }
    }
}

/// The highest next offset seen applied in each partition.
private final class ReachedOffsets: Sendable {
    private let nextOffsets = Mutex<[Int32: Int64]>([:])

    func contains(_ position: LogPosition) -> Bool {
        nextOffsets.withLock { $0[position.partition].map { position.offset < $0 } ?? false }
    }

    /// Remembers `nextOffset` if it is the highest seen; returns it.
    func record(_ nextOffset: Int64, in partition: Int32) -> Int64 {
        nextOffsets.withLock { $0[partition] = max($0[partition] ?? 0, nextOffset) }
        return nextOffset
    }
}
