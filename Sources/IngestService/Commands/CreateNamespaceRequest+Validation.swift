import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

extension CreateNamespaceRequest {
    /// The namespace to create, for `caller`; 400 naming the broken rule.
    func validated(for caller: Caller) throws(APIError) -> (NamespaceReference, Visibility?) {
        let reference = try RegistryHTTP.validated { () throws(NameError) in
            try NamespaceReference(parsing: path, defaultOwner: caller.username, field: "path")
        }
        guard let visibility else { return (reference, nil) }
        guard let parsed = Visibility(rawValue: visibility) else {
            throw APIError.badRequest(
                "visibility must be public, internal or private (got \"\(visibility)\")", code: "invalid_field")
        }
        return (reference, parsed)
    }
}
