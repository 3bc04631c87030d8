import Foundation
import RegistryDomain

/// The questions the services ask the read model.
public protocol RegistryQueries: Sendable {
    /// Follows ``ResolutionPlan`` for `request`; `nil` when nothing was found
    /// that the build's user may use.
    func resolve(_ request: ResolutionRequest) async throws -> Resolution?

    /// One image version by id, deleted or not.
    func image(id: UUID) async throws -> ImageRecord?

    /// One namespace.
    func namespace(owner: String, path: String) async throws -> NamespaceRecord?

    /// The facts access rules need about a namespace: owner, visibility and
    /// the collaborators of its root; `nil` when it does not exist.
    func namespaceAccess(owner: String, path: String) async throws -> NamespaceAccess?

    /// Live image versions `viewer` may see, matching `filter`, by id.
    func images(_ filter: ImageListFilter, viewer: Viewer) async throws -> [ImageRecord]

    /// Whether `viewer` may read bytes with `digest`: an image holding them
    /// that the viewer may see, or one the viewer registered (deleted or not).
    func mayRead(digest: SHA256Digest, viewer: Viewer) async throws -> Bool

    /// Those of `digests` that some image version names, live or deleted.
    func referencedDigests(_ digests: [SHA256Digest]) async throws -> Set<SHA256Digest>

    /// Namespaces `viewer` may see, by owner and path.
    func namespaces(_ filter: NamespaceListFilter, viewer: Viewer) async throws -> [NamespaceRecord]

    /// The audit entries of those of `ids` that were applied, by event id.
    func appliedEvents(ids: [UUID]) async throws -> [UUID: AuditEntry]

    /// Audit entries matching `filter`, in log order.
    func audit(_ filter: AuditFilter) async throws -> [AuditEntry]

    /// Dead-lettered records in log position order, after `after`.
    func deadLetters(after: LogPosition?, limit: Int) async throws -> [DeadLetter]

    /// The next offset the projection will apply in `partition` (0 before any).
    func projectedOffset(partition: Int32) async throws -> Int64

    /// Returns when the database answers; throws otherwise.
    func ping() async throws
}

extension RegistryQueries {
    /// The audit entry of one applied event, if it was applied.
    public func appliedEvent(id: UUID) async throws -> AuditEntry? {
        try await appliedEvents(ids: [id])[id]
    }
}
