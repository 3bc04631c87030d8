import RegistryDomain
import RegistryHTTP

/// Body of `POST /v1/namespaces/{owner}/{path}/collaborators`: `{"username": "bob"}`.
struct AddCollaboratorCommand: Decodable {
    var username: String

    func validated() throws(APIError) -> Username {
        try RegistryHTTP.validated { () throws(NameError) in try Username(username, field: "username") }
    }
}
