import RegistryAPI
import RegistryDomain
import RegistryHTTP

extension UsernameRequest {
    func validated() throws(APIError) -> Username {
        try RegistryHTTP.validated { () throws(NameError) in try Username(username, field: "username") }
    }
}
