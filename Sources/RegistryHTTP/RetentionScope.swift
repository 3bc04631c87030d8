import Foundation
import Hummingbird
import ReadModel
import RegistryDomain

/// The namespace a retention request names (`?namespace=path@owner`), its
/// policy, and what that policy removes now: the preview and the run that
/// applies it both start here, so a preview lists what the run removes.
public struct RetentionScope: Sendable {
    public let namespace: NamespaceReference
    public let policy: RetentionPolicy?
    public let removals: [RetentionRemoval]

    /// Reads `namespace` from `request`; 404 unless `viewer` may manage it
    /// (its owner or an administrator), so no one else learns it exists.
    public static func load(
        _ request: Request, viewer: Viewer, queries: some NamespaceRepository & RetentionRepository
    ) async throws -> RetentionScope {
        let text = try request.requiredQueryParameter("namespace")
        let namespace = try validated { () throws(NameError) in
            try NamespaceReference(parsing: text, defaultOwner: viewer.username)
        }
        guard let access = try await queries.namespaceAccess(namespace), AccessPolicy.canManage(access, viewer: viewer),
            let record = try await queries.namespace(namespace)
        else {
            throw APIError.notFound("namespace \(text) not found")
        }
        var removals: [RetentionRemoval] = []
        if let policy = record.retention {
            removals = policy.removals(of: try await queries.retentionCandidates(in: namespace), at: Date())
        }
        return RetentionScope(namespace: namespace, policy: record.retention, removals: removals)
    }
}
