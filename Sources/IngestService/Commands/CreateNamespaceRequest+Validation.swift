import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

extension CreateNamespaceRequest {
    /// The namespace to create, for `caller`; 400 naming the broken rule.
    func validated(for caller: Caller) throws(APIError) -> (NamespaceReference, Visibility?) {
        let reference = try RegistryHTTP.validated { () throws(NameError) in
            let reference = try NamespaceReference(parsing: path, defaultOwner: caller.username, field: "path")
            try reference.path.checkUnreserved(field: "path")
            return reference
        }
        return (reference, try visibility.map(Visibility.validated))
    }
}

extension Visibility {
    /// The visibility a request names; 400 naming the allowed values.
    static func validated(_ text: String) throws(APIError) -> Visibility {
        guard let parsed = Visibility(rawValue: text) else {
            throw APIError.badRequest(
                "visibility must be public, internal or private (got \"\(text)\")", code: "invalid_field")
        }
        return parsed
    }
}
