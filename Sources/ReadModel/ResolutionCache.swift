import RegistryDomain
import Synchronization

/// Resolutions (found or not) remembered until the read model changes.
///
/// Every projection transaction that changes the read model, and every
/// rebuild switch, sends a PostgreSQL notification on
/// ``ReadModelChanges/channel``; ``ReadModelChanges`` listens in each replica
/// and empties the cache. A lookup that started before a change never stores
/// its (possibly old) answer after it: each change starts a new generation,
/// and an answer is kept only if the generation it was read in is current.
/// While the listener is not connected the cache is off, so a missed
/// notification cannot leave an old answer behind. A version with a
/// revocation is never remembered: a scheduled one takes effect with no
/// change to the read model, and the lookup decides by the time it runs.
public final class ResolutionCache: Sendable {
    private struct State {
        var listening = false
        var generation: UInt64 = 0
        var entries: [ResolutionRequest: Resolution?] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// - Parameter capacity: entries kept at most; when full, it starts over.
    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The remembered answer for `request`, or `load`'s, which is remembered
    /// if the read model did not change meanwhile.
    public func resolve(_ request: ResolutionRequest, load: () async throws -> Resolution?) async rethrows
        -> Resolution?
    {
        let (cached, generation) = state.withLock { state -> (Resolution??, UInt64?) in
            guard state.listening else { return (nil, nil) }
            return (state.entries[request], state.generation)
        }
        if let cached { return cached }
        let loaded = try await load()
        if let generation, loaded?.revocation == nil {
            state.withLock { state in
                guard state.listening, state.generation == generation else { return }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
                state.entries[request] = .some(loaded)
            }
        }
        return loaded
    }

    /// Forgets every answer: the read model changed.
    func invalidate() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    /// Turns the cache on while change notifications arrive, off otherwise;
    /// either way it starts empty.
    func setListening(_ listening: Bool) {
        state.withLock { state in
            state.listening = listening
            state.generation &+= 1
            state.entries.removeAll()
        }
    }
}
