import Hummingbird
import ReadModel
import RegistryAPI
import RegistryDomain

/// The scope a quota request names: `?namespace=root@owner` (a tree) or
/// `?user=name` (everything the user owns), one of them.
public struct QuotaScope: Sendable {
    public let owner: Username
    public let root: NamespacePath?

    public init(owner: Username, root: NamespacePath?) {
        self.owner = owner
        self.root = root
    }

    /// Reads the scope from the request's query; 400 unless exactly one is named.
    public init(_ request: Request) throws {
        switch (request.queryParameter("namespace"), request.queryParameter("user")) {
        case (let namespace?, nil):
            let reference = try validated { () throws(NameError) in
                try NamespaceReference(parsing: namespace, defaultOwner: nil)
            }
            guard reference.path.parent == nil else {
                throw APIError.badRequest(
                    "namespace: a quota covers a root namespace's tree; name the root \(reference.path.root.value)",
                    code: "invalid_field")
            }
            (owner, root) = (reference.owner, reference.path)
        case (nil, let user?):
            owner = try validated { () throws(NameError) in try Username(user, field: "user") }
            root = nil
        default:
            throw APIError.badRequest("name the scope with namespace=root@owner or user=name, one of them", code: "invalid_field")
        }
    }

    /// The quota (limits absent when none is set) and the scope's usage.
    public func resource(from queries: some QuotaRepository) async throws -> QuotaResource {
        let quota = try await queries.quotas(owner: owner, roots: [root]).first
        let usage = try await queries.usage(owner: owner, root: root, excludingSession: nil)
        return QuotaResource(
            owner: owner.value, namespace: root.map { "\($0.value)@\(owner.value)" }, maxBytes: quota?.maxBytes,
            maxVersions: quota?.maxVersions, usage: usage)
    }
}
