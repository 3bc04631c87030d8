import ReadModel
import RegistryDomain
import Synchronization

/// ``ProjectionStore`` over an ``InMemoryReadModel``, for tests of the
/// projection's run loop; failures can be injected to see how it retries.
public final class InMemoryProjectionStore: ProjectionStore {
    public let readModel: InMemoryReadModel
    private let failures = Mutex<[ProjectionFailure]>([])

    public init(readModel: InMemoryReadModel) {
        self.readModel = readModel
    }

    /// The next calls of ``apply(_:partition:)`` fail, one per entry, as the entry says.
    public func failNext(_ failures: [ProjectionFailure]) {
        self.failures.withLock { $0 += failures }
    }

    public func apply(_ records: [LogRecord], partition: Int32) async throws -> BatchOutcome {
        if let failure = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            throw InjectedFailure(failure: failure)
        }
        return readModel.apply(records)
    }

    public func deadLetter(_ record: LogRecord, reason: String) async throws -> BatchOutcome {
        readModel.deadLetter(record, reason: reason)
    }

    public func failure(of error: any Error) -> ProjectionFailure {
        (error as? InjectedFailure)?.failure ?? .transient
    }

    public func storedPositions() async throws -> [Int32: Int64] {
        readModel.positions
    }
}

/// A failure ``InMemoryProjectionStore/failNext(_:)`` was told to throw.
struct InjectedFailure: Error {
    let failure: ProjectionFailure
}
