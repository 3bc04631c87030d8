import Foundation
import ReadModel
import RegistryDomain
import Synchronization

/// The read model in memory, for route tests that run without PostgreSQL:
/// it folds log records with the same domain rules as the PostgreSQL fold
/// (``AccessPolicy``'s refusals, ``ImageVersioning``, ``AuditFacts``) and
/// answers every repository's questions from what it folded.
///
/// It is a fake, not a second product: the live-stack suites hold the
/// PostgreSQL fold to the behaviour these tests assume.
public final class InMemoryReadModel: RegistryQueries {
    /// Everything folded so far.
    struct State {
        var namespaces: [NamespaceReference: NamespaceRecord] = [:]
        /// Collaborators by the root namespace of their tree.
        var collaborators: [NamespaceReference: Set<Username>] = [:]
        /// Invites in the order they were sent.
        var invites: [InviteRecord] = []
        /// Webhooks in the order they were made.
        var webhooks: [WebhookRecord] = []
        /// Deliveries a test recorded (the fakes run no dispatcher).
        var webhookDeliveries: [WebhookDeliveryRecord] = []
        /// Imports in the order they were requested.
        var imports: [ImportRecord] = []
        /// Image versions in the order they were made.
        var images: [ImageRecord] = []
        var audit: [AuditEntry] = []
        /// What each entry of ``audit`` is filed under, at the same index.
        var auditFilings: [AuditFiling] = []
        var deadLetters: [DeadLetter] = []
        var applied: Set<UUID> = []
        /// The next offset to apply, by partition.
        var nextOffsets: [Int32: Int64] = [:]
        var quotas: [QuotaKey: QuotaSet] = [:]
    }

    /// Whom a quota caps: a user's tree, or (without a root) the user.
    struct QuotaKey: Hashable {
        let owner: Username
        let root: NamespacePath?
    }

    /// What an audit entry is filed under, for ``AuditFilter``.
    struct AuditFiling {
        let facts: AuditFacts
        let subject: String
    }

    let state = Mutex(State())

    public init() {}

    /// Folds `record`, as the projector does: a record that does not decode
    /// is dead-lettered; an event id seen before changes nothing.
    public func apply(_ record: LogRecord) {
        _ = apply([record])
    }

    /// Folds `records` of one partition in order, as one projection batch
    /// does: records below the partition's position are skipped.
    public func apply(_ records: [LogRecord]) -> BatchOutcome {
        state.withLock { state in
            var outcome = BatchOutcome()
            for record in records {
                let partition = record.position.partition
                guard record.position.offset >= state.nextOffsets[partition] ?? 0 else {
                    outcome.skipped += 1
                    continue
                }
                state.nextOffsets[partition] = record.position.offset + 1
                do {
                    let envelope = try CloudEventsCodec.decode(record.encoded)
                    guard state.applied.insert(envelope.id).inserted else {
                        outcome.duplicates += 1
                        continue
                    }
                    state.fold(envelope, at: record.position, data: record.encoded.value)
                    outcome.applied += 1
                } catch {
                    state.deadLetter(record, reason: "\(error)")
                    outcome.deadLettered += 1
                }
            }
            outcome.nextOffset = records.last.flatMap { state.nextOffsets[$0.position.partition] } ?? 0
            return outcome
        }
    }

    /// Keeps `record` as a dead letter and moves its partition past it.
    public func deadLetter(_ record: LogRecord, reason: String) -> BatchOutcome {
        state.withLock { state in
            state.deadLetter(record, reason: reason)
            state.nextOffsets[record.position.partition] = record.position.offset + 1
            return BatchOutcome(deadLettered: 1, nextOffset: record.position.offset + 1)
        }
    }

    /// The next offset to apply in each partition.
    public var positions: [Int32: Int64] { state.withLock { $0.nextOffsets } }

    public func projectedOffset(partition: Int32) async throws -> Int64 {
        state.withLock { $0.nextOffsets[partition] ?? 0 }
    }

    public func ping() async throws {}
}

extension InMemoryReadModel.State {
    mutating func deadLetter(_ record: LogRecord, reason: String) {
        deadLetters.append(DeadLetter(
            position: record.position, key: record.encoded.key,
            headers: record.encoded.headers.map { DeadLetter.Header(name: Array($0.name.utf8), value: $0.value) },
            value: record.encoded.value, reason: reason, recordedAt: Date()))
    }
}
