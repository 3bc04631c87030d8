import Foundation
import Hummingbird
import ReadModel
import RegistryDomain

/// What a retention request names (`?namespace=path@owner`, or
/// `?user=name` for that user's personal images), its policy, and what that
/// policy removes now: the preview and the run that applies it both start
/// here, so a preview lists what the run removes.
public struct RetentionScope: Sendable {
    public let target: RetentionTarget
    public let policy: RetentionPolicy?
    public let removals: [RetentionRemoval]

    /// Reads the target from `request`, exactly one of `namespace` and
    /// `user`. A namespace follows its own policy; personal images follow
    /// `personalPolicy`, the deployment's default. 404 unless `viewer` may
    /// manage the namespace, or delete the user's personal images (its
    /// owner or an administrator either way), so no one else learns that it
    /// exists.
    public static func load(
        _ request: Request, viewer: Viewer, personalPolicy: RetentionPolicy?,
        queries: some NamespaceRepository & RetentionRepository
    ) async throws -> RetentionScope {
        let target: RetentionTarget
        let policy: RetentionPolicy?
        switch (request.queryParameter("namespace"), request.queryParameter("user")) {
        case (let text?, nil):
            let namespace = try validated { () throws(NameError) in
                try NamespaceReference(parsing: text, defaultOwner: viewer.username)
            }
            guard let access = try await queries.namespaceAccess(namespace),
                AccessPolicy.canManage(access, viewer: viewer),
                let record = try await queries.namespace(namespace)
            else {
                throw APIError.notFound("namespace \(text) not found")
            }
            (target, policy) = (.namespace(namespace), record.retention)
        case (nil, let text?):
            let user = try validated { () throws(NameError) in try Username(text, field: "user") }
            guard AccessPolicy.canDelete(.personal(owner: user), viewer: viewer) else {
                throw APIError.notFound("user \(text) not found")
            }
            (target, policy) = (.personal(user), personalPolicy)
        default:
            throw APIError.badRequest(
                "name what to retain with namespace=path@owner or user=name, one of them", code: "invalid_field")
        }
        var removals: [RetentionRemoval] = []
        if let policy {
            removals = policy.removals(of: try await queries.retentionCandidates(in: target), at: Date())
        }
        return RetentionScope(target: target, policy: policy, removals: removals)
    }
}
