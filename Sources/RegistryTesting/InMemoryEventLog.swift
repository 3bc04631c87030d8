import RegistryDomain
import Synchronization

/// The event log in memory: an ``EventPublisher`` that encodes each event
/// with ``CloudEventsCodec``, as the Kafka publisher does, appends it to
/// one partition and, while ``projects`` is true, folds it into a read model
/// at once, in log order (so `?wait=true` and read-your-writes answer as
/// they do live). Without a read model, records are only kept: a projection
/// reads them through ``InMemoryLogReader``.
public final class InMemoryEventLog: EventPublisher {
    private struct State {
        var records: [LogRecord] = []
        /// How many records the read model has been given.
        var folded = 0
        var projects = true
        var unavailable: String?
        var logStart: Int64 = 0
    }

    private let state = Mutex(State())
    private let readModel: InMemoryReadModel?

    public init(projectingInto readModel: InMemoryReadModel? = nil) {
        self.readModel = readModel
    }

    /// Every record appended, in log order.
    public var records: [LogRecord] { state.withLock { $0.records } }

    /// The events appended, decoded, in log order.
    public var events: [EventEnvelope] {
        records.compactMap { try? CloudEventsCodec.decode($0.encoded) }
    }

    /// Whether records are folded as they are appended. Turning it back on
    /// folds the records held back meanwhile.
    public var projects: Bool {
        get { state.withLock { $0.projects } }
        set {
            state.withLock { state in
                state.projects = newValue
                fold(&state)
            }
        }
    }

    /// While set, publishing fails as a broker outage does, with this reason.
    public var unavailable: String? {
        get { state.withLock { $0.unavailable } }
        set { state.withLock { $0.unavailable = newValue } }
    }

    /// The first offset readers are still given: records before it count as
    /// deleted, as retention deletes a Kafka partition's oldest records.
    public var logStart: Int64 {
        get { state.withLock { $0.logStart } }
        set { state.withLock { $0.logStart = newValue } }
    }

    public func publish(_ envelope: EventEnvelope) async throws -> LogPosition {
        try state.withLock { state throws(EventLogUnavailable) -> LogPosition in
            if let reason = state.unavailable { throw EventLogUnavailable(reason: reason) }
            return append(CloudEventsCodec.encode(envelope), to: &state)
        }
    }

    /// Appends a record as it stands, for tests of records no publisher writes.
    @discardableResult
    public func append(_ encoded: EncodedEvent) -> LogPosition {
        state.withLock { append(encoded, to: &$0) }
    }

    private func append(_ encoded: EncodedEvent, to state: inout State) -> LogPosition {
        let position = LogPosition(partition: 0, offset: Int64(state.records.count))
        state.records.append(LogRecord(position: position, encoded: encoded))
        fold(&state)
        return position
    }

    private func fold(_ state: inout State) {
        guard state.projects, let readModel else { return }
        for record in state.records[state.folded...] { readModel.apply(record) }
        state.folded = state.records.count
    }
}
