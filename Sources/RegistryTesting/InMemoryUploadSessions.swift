import Foundation
import ReadModel
import RegistryDomain
import Synchronization

/// ``UploadSessionStore`` in memory, for route tests: claims are held in a
/// set, as PostgreSQL's advisory locks are held across replicas.
public final class InMemoryUploadSessions: UploadSessionStore {
    private struct State {
        var sessions: [UUID: UploadSession] = [:]
        var claimed: Set<UUID> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Every session kept, for tests.
    public var all: [UploadSession] { state.withLock { Array($0.sessions.values) } }

    public func create(_ session: UploadSession) async throws {
        state.withLock { $0.sessions[session.id] = session }
    }

    public func session(_ id: UUID) async throws -> UploadSession? {
        state.withLock { $0.sessions[id] }
    }

    public func advance(_ id: UUID, to offset: Int64, headerChecked: Bool) async throws {
        state.withLock { state in
            state.sessions[id]?.offset = offset
            state.sessions[id]?.headerChecked = headerChecked
            state.sessions[id]?.updatedAt = Date()
        }
    }

    public func delete(_ id: UUID) async throws {
        _ = state.withLock { $0.sessions.removeValue(forKey: id) }
    }

    public func untouched(since before: Date, limit: Int) async throws -> [UUID] {
        state.withLock { state in
            Array(state.sessions.values.filter { $0.updatedAt < before }.sorted { $0.updatedAt < $1.updatedAt }
                .prefix(limit).map(\.id))
        }
    }

    public func withClaim<Result: Sendable>(on id: UUID, _ work: @Sendable () async throws -> Result) async throws
        -> Result?
    {
        guard state.withLock({ $0.claimed.insert(id).inserted }) else { return nil }
        defer { _ = state.withLock { $0.claimed.remove(id) } }
        return try await work()
    }

    /// Holds session `id`'s claim, as another replica writing to it would.
    public func hold(_ id: UUID) -> Bool {
        state.withLock { $0.claimed.insert(id).inserted }
    }
}
