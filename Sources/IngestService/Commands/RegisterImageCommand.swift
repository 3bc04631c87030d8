import RegistryDomain
import RegistryHTTP

/// Body of `POST /v1/images` registering a file that is already stored:
/// `{"name", "namespace"?, "driver": "qemu", "location", "sha256", "size"}`,
/// plus `"source": "base"` for an administrator registering a base image.
struct RegisterImageCommand: Decodable {
    var name: String
    var namespace: String?
    var driver: String
    var location: String
    var sha256: String
    var size: Int64
    var source: String?

    /// The validated fields, for `caller`; 400 naming the broken rule.
    func validated(for caller: Caller) throws(APIError) -> ValidatedImage {
        try RegistryHTTP.validated { () throws(NameError) in
            guard size > 0 else { throw NameError(field: "size", message: "must be a positive number of bytes") }
            let source = try ImageSource(parsing: source ?? ImageSource.custom.rawValue)
            let scope: ImageScope
            switch source {
            case .base:
                guard namespace == nil else {
                    throw NameError(field: "namespace", message: "a base image belongs to no namespace")
                }
                scope = .base(try BaseImageName(name, field: "name"))
            case .custom:
                let imageName = try ImageName(name)
                if let namespace {
                    scope = .namespace(try NamespaceReference(parsing: namespace, defaultOwner: caller.username), imageName)
                } else {
                    scope = .personal(caller.username, imageName)
                }
            }
            return ValidatedImage(
                scope: scope, driver: try Driver(parsing: driver), location: try ImageLocation(location),
                sha256: try SHA256Digest(hex: sha256), size: size)
        }
    }

    struct ValidatedImage {
        var scope: ImageScope
        var driver: Driver
        var location: ImageLocation
        var sha256: SHA256Digest
        var size: Int64
    }
}
