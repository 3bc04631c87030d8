import Foundation
import Logging
@testable import EventConsumer
@testable import ProjectorService
import ReadModel
import RegistryRuntime
import RegistryDomain
import RegistryTesting
import Synchronization
import Testing

/// ``ProjectionService``'s run loop on an in-memory log and store: what it
/// does with each record, with failures, and across a restart.
@Suite struct ProjectionLoopTests {
    let log = InMemoryEventLog()
    let store = InMemoryProjectionStore(readModel: InMemoryReadModel())

    @Test func recordsAreFoldedInOrderAndPositionsReported() async throws {
        for path in ["a", "b", "c"] { try await publishNamespace(path) }
        try await projecting { reader in
            try await eventually { store.readModel.positions[0] == 3 }
            #expect(try await store.readModel.namespace(Self.namespace("c")) != nil)
            try await eventually { reader.committed[0] == 3 }
            try await publishNamespace("d")
            try await eventually { store.readModel.positions[0] == 4 }
        }
        #expect(try await store.readModel.audit(AuditFilter()).map(\.position.offset) == [0, 1, 2, 3])
    }

    @Test func aRestartResumesAtTheStoredPositionAndAppliesNothingTwice() async throws {
        try await publishNamespace("a")
        try await projecting { _ in try await eventually { store.readModel.positions[0] == 1 } }
        try await publishNamespace("b")
        try await publishNamespace("a")  // the same change again, as a new event
        try await projecting { _ in try await eventually { store.readModel.positions[0] == 3 } }
        let audit = try await store.readModel.audit(AuditFilter())
        #expect(audit.map(\.position.offset) == [0, 1, 2])
        #expect(Set(audit.map(\.eventID)).count == 3)
    }

    @Test func aTransientFailureIsRetriedUntilItPasses() async throws {
        store.failNext([.transient, .transient])
        try await publishNamespace("a")
        try await projecting { _ in try await eventually { store.readModel.positions[0] == 1 } }
        #expect(try await store.readModel.deadLetters(after: nil, limit: 10).isEmpty)
    }

    @Test func aRecordTheStoreKeepsRefusingIsDeadLetteredAndTheRestApplied() async throws {
        try await publishNamespace("a")
        store.failNext(Array(repeating: .deterministic(reason: "refused"), count: PartitionWorker.maximumTries))
        try await projecting { _ in
            try await eventually { store.readModel.positions[0] == 1 }
            try await publishNamespace("b")
            try await eventually { store.readModel.positions[0] == 2 }
        }
        let letters = try await store.readModel.deadLetters(after: nil, limit: 10)
        #expect(letters.map(\.position.offset) == [0])
        #expect(letters.first?.reason == "refused")
        #expect(try await store.readModel.namespace(Self.namespace("b")) != nil)
    }

    @Test func aRecordThatIsNoEventIsDeadLetteredWithItsBytes() async throws {
        try await publishNamespace("a")
        log.append(EncodedEvent(key: [1], headers: [], value: Array("not json".utf8)))
        try await publishNamespace("b")
        try await projecting { _ in try await eventually { store.readModel.positions[0] == 3 } }
        let letters = try await store.readModel.deadLetters(after: nil, limit: 10)
        #expect(letters.map(\.position.offset) == [1])
        #expect(letters.first?.value == Array("not json".utf8))
        #expect(try await store.readModel.namespace(Self.namespace("b")) != nil)
    }

    @Test func aPartitionWhoseRecordsWereDeletedIsStoppedAndReportedNotSkipped() async throws {
        for path in ["a", "b", "c", "d"] { try await publishNamespace(path) }
        log.logStart = 2  // retention deleted offsets 0 and 1 before they were applied
        let progress = ProjectionProgress()
        try await projecting(progress: progress) { _ in
            try await eventually { Self.readiness(progress)?.description.contains("stopped") == true }
            #expect(Self.readiness(progress)?.description.contains(
                "partition 0 is stopped: the log no longer holds offset 0") == true)
        }
        #expect(store.readModel.positions[0] == nil)
        #expect(try await store.readModel.namespace(Self.namespace("c")) == nil)

        // Where the read model already has everything before the log's start, nothing is missing.
        log.logStart = 0
        try await projecting { _ in try await eventually { store.readModel.positions[0] == 4 } }
        log.logStart = 4
        try await publishNamespace("e")
        let resumed = ProjectionProgress()
        try await projecting(progress: resumed) { _ in try await eventually { store.readModel.positions[0] == 5 } }
        #expect(Self.readiness(resumed) == nil)
    }

    // MARK: - Helpers

    /// Why `progress` is not ready, or `nil` when it is.
    static func readiness(_ progress: ProjectionProgress) -> NotReady? {
        do {
            try progress.checkReady(maximumLag: 1000)
            return nil
        } catch {
            return error as? NotReady
        }
    }

    /// Runs the projection over ``log`` into ``store`` while `body` runs, then stops it.
    private func projecting(
        progress: ProjectionProgress = ProjectionProgress(), _ body: (InMemoryLogReader) async throws -> Void
    ) async throws {
        let (log, store) = (self.log, self.store)
        let readers = ReaderBox()
        var logger = Logger(label: "projection-loop-tests")
        logger.logLevel = .critical
        let service = ProjectionService(store: store, progress: progress, logger: logger) { assignment in
            let reader = InMemoryLogReader(log: log, assignment: assignment)
            readers.reader = reader
            return reader
        }
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await eventually { readers.reader != nil }
        try await body(readers.reader!)
        running.cancel()
        _ = await running.result
    }

    private func publishNamespace(_ path: String) async throws {
        let alice = try Username("alice")
        _ = try await log.publish(EventEnvelope(
            id: EventID.make(), source: "projection-loop-tests", actor: alice, actorRole: .user, subject: "alice",
            requestID: nil,
            event: .namespaceCreated(NamespaceCreated(owner: alice, path: try NamespacePath(path), visibility: nil))))
    }

    static func namespace(_ path: String) throws -> NamespaceReference {
        NamespaceReference(path: try NamespacePath(path), owner: try Username("alice"))
    }
}

/// Where the projection's factory leaves the reader it made.
private final class ReaderBox: Sendable {
    private let made = Mutex<InMemoryLogReader?>(nil)

    var reader: InMemoryLogReader? {
        get { made.withLock { $0 } }
        set { made.withLock { $0 = newValue } }
    }
}

/// Waits, up to 5 s, until `condition` holds.
func eventually(_ condition: () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation)
    async throws
{
    let deadline = ContinuousClock.now.advanced(by: .seconds(5))
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("the condition did not hold within 5 s", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(2))
    }
}
