import RegistryAuth
import RegistryDomain
import RegistryHTTP

/// Body of `POST /v1/namespaces`: `{"path": "team/infra", "visibility": "private"}`.
struct CreateNamespaceCommand: Decodable {
    var path: String
    var visibility: String?

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
