/// The producer's life, decided without I/O so that it is tested on its own
/// (``KafkaProducer`` holds one behind a lock and does what it says):
///
/// - `running`: records go to the current client.
/// - `replacing`: the current client can no longer produce (a fatal error,
///   or the broker rejects its producer id or epoch). Records sent
///   meanwhile still go to it and fail there, so their senders see an error
///   and may retry; the poll loop makes a new client.
/// - `draining`: shutdown began. No new record is taken; the poll loop
///   flushes what is outstanding.
/// - `finished`: everything is flushed or failed.
///
/// A replaced client is kept and purged for a grace period: a send that read
/// it just before the swap may still hand it a record, which must fail
/// rather than wait forever.
struct ProducerStateMachine<Client: AnyObject> {
    enum State: Equatable {
        case running
        case replacing(reason: String)
        case draining
        case finished
    }

    private(set) var state = State.running
    /// The client new records go to.
    private(set) var current: Client
    /// Replaced clients, with when they were replaced.
    private(set) var retired: [(client: Client, since: ContinuousClock.Instant)] = []

    init(client: Client) {
        current = client
    }

    /// Where a new record goes; `nil` once draining.
    var clientForSend: Client? {
        switch state {
        case .running, .replacing: current
        case .draining, .finished: nil
        }
    }

    /// The client the poll loop serves; `nil` once it should drain instead.
    var clientToPoll: Client? { clientForSend }

    /// Why the current client must be replaced, while it must.
    var replacementReason: String? {
        guard case .replacing(let reason) = state else { return nil }
        return reason
    }

    /// `client` can no longer produce. Only the current client's failure
    /// asks for a replacement: a retired one is already replaced.
    mutating func failed(_ client: Client, reason: String) {
        guard case .running = state, client === current else { return }
        state = .replacing(reason: reason)
    }

    /// `replacement` takes new records; the failed client is retired.
    mutating func replaced(with replacement: Client, at now: ContinuousClock.Instant) {
        guard case .replacing = state else { return }
        retired.append((current, now))
        current = replacement
        state = .running
    }

    /// The retired clients to purge now; those that have held nothing after
    /// `grace` (as `isEmpty` says) are let go.
    mutating func retiredToPurge(
        at now: ContinuousClock.Instant, grace: Duration, isEmpty: (Client) -> Bool
    ) -> [Client] {
        retired.removeAll { now - $0.since > grace && isEmpty($0.client) }
        return retired.map(\.client)
    }

    /// Shutdown: no new records. Returns whether draining began now (it
    /// begins once).
    @discardableResult
    mutating func beginDraining() -> Bool {
        switch state {
        case .running, .replacing:
            state = .draining
            return true
        case .draining, .finished:
            return false
        }
    }

    /// Everything outstanding was flushed or failed.
    mutating func finish() {
        state = .finished
        retired = []
    }
}
