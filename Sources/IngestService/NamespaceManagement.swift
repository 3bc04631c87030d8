import ReadModel
import RegistryAuth
import RegistryDomain
import RegistryHTTP

extension NamespaceRepository {
    /// Passes when `caller` may manage `namespace` (its owner or an
    /// administrator): change it, or its root's collaborators. To anyone
    /// else the namespace does not exist (404), as for one they cannot see.
    func requireManaging(_ namespace: NamespaceReference, caller: Caller) async throws {
        guard let access = try await namespaceAccess(namespace), AccessPolicy.canManage(access, viewer: caller.viewer)
        else {
            throw APIError.notFound("namespace \(namespace) not found")
        }
    }
}
