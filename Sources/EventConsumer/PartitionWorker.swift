import Dispatch
import Logging
import ReadModel
import RegistryDomain
import RegistryRuntime
import Tracing

/// Applies one partition's records in log order, on its own: while the
/// database is unreachable only this partition waits, and a record that
/// the database keeps refusing is dead-lettered after
/// ``maximumTries`` tries, so the partition moves on.
struct PartitionWorker: Sendable {
    /// Tries of a single record that the database refuses before it is
    /// dead-lettered. A refused batch of several records is split at once.
    static let maximumTries = 3
    /// The most records applied in one transaction.
    static let maximumBatch = 5000

    let partition: Int32
    let backlog: PartitionBacklog
    let store: any ProjectionStore
    let limit: ConcurrencyLimit
    let logger: Logger
    /// Whether its batches are the projection's, for its metrics and traces.
    let reportsProjection: Bool
    /// Called with the partition's next offset after each stored batch.
    let stored: @Sendable (Int64) -> Void
    /// Called when the backlog has shrunk enough to fetch again.
    let resume: @Sendable () -> Void

    /// Applies records until the backlog is finished.
    func run() async {
        while let next = await backlog.take(upTo: Self.maximumBatch) {
            if next.resume { resume() }
            let spans = reportsProjection ? EventTracing.startApplySpans(for: next.records) : []
            let nextOffset = await apply(next.records)
            for span in spans { span.end() }
            guard let nextOffset else { return }
            stored(nextOffset)
        }
    }

    /// Applies `records`; returns the next offset, or `nil` once stopped.
    private func apply(_ records: [LogRecord]) async -> Int64? {
        let started = DispatchTime.now()
        switch await attempt(maximumFailures: records.count == 1 ? Self.maximumTries : 1, {
            try await store.apply(records, partition: partition)
        }) {
        case .stored(let outcome):
            if reportsProjection {
                ProjectionMetrics.record(outcome, partition: partition, batchSize: records.count, since: started)
            }
            return outcome.nextOffset
        case .stopped:
            return nil
        case .refused(let reason) where records.count == 1:
            guard case .stored(let outcome) = await attempt(maximumFailures: .max, {
                try await store.deadLetter(records[0], reason: reason)
            }) else { return nil }
            if reportsProjection { ProjectionMetrics.record(outcome, partition: partition, batchSize: 1, since: started) }
            return outcome.nextOffset
        case .refused:
            // One of the records is refused: apply them one at a time to find it.
            var nextOffset: Int64?
            for record in records {
                guard let next = await apply([record]) else { return nil }
                nextOffset = next
            }
            return nextOffset
        }
    }

    private enum Attempt {
        case stored(BatchOutcome)
        case refused(reason: String)
        case stopped
    }

    /// Runs `operation` until it succeeds, waiting longer after each failure
    /// (up to 5 s). Transient failures are retried until the backlog is
    /// finished; after `maximumFailures` refusals it gives up.
    private func attempt(maximumFailures: Int, _ operation: () async throws -> BatchOutcome) async -> Attempt {
        var delay = Duration.milliseconds(100)
        var failures = 0
        while !backlog.isFinished {
            do {
                return .stored(try await limit.run(operation))
            } catch {
                let failure = store.failure(of: error)
                logger.error("could not apply records; retrying", metadata: [
                    "partition": "\(partition)", "error": "\(String(reflecting: error))",
                ])
                if case .deterministic(let reason) = failure {
                    failures += 1
                    if failures >= maximumFailures { return .refused(reason: reason) }
                }
            }
            do { try await Task.sleep(for: delay) } catch { return .stopped }
            delay = min(delay * 2, .seconds(5))
        }
        return .stopped
    }
}
