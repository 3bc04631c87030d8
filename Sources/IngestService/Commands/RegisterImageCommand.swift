import RegistryDomain
import RegistryHTTP

/// Body of `POST /v1/images` registering a file that is already stored:
/// `{"name", "namespace"?, "driver": "qemu", "location", "sha256", "size"}`.
struct RegisterImageCommand: Decodable {
    var name: String
    var namespace: String?
    var driver: String
    var location: String
    var sha256: String
    var size: Int64

    /// The validated fields, for `caller`; 400 naming the broken rule.
    func validated(for caller: Caller) throws(APIError) -> ValidatedImage {
        try RegistryHTTP.validated { () throws(NameError) in
            guard size > 0 else { throw NameError(field: "size", message: "must be a positive number of bytes") }
            return ValidatedImage(
                name: try ImageName(name),
                namespace: try namespace.map { text throws(NameError) in
                    try NamespaceReference(parsing: text, defaultOwner: caller.username)
                },
                driver: try Driver(parsing: driver),
                location: try ImageLocation(location),
                sha256: try SHA256Digest(hex: sha256),
                size: size)
        }
    }

    struct ValidatedImage {
        var name: ImageName
        var namespace: NamespaceReference?
        var driver: Driver
        var location: ImageLocation
        var sha256: SHA256Digest
        var size: Int64
    }
}
