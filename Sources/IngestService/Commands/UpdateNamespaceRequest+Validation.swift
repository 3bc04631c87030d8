import RegistryAPI
import RegistryDomain
import RegistryHTTP

extension UpdateNamespaceRequest {
    /// The change to `namespace`; 400 naming the broken rule (an update
    /// that changes nothing is one).
    func validated(for namespace: NamespaceReference) throws(APIError) -> NamespaceUpdated {
        let update = NamespaceUpdated(
            owner: namespace.owner, path: namespace.path, visibility: try visibility.map(Visibility.validated),
            description: description, revokedFallback: revokedFallback, retention: retention)
        try RegistryHTTP.validated { () throws(NameError) in try update.validate() }
        return update
    }
}
