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
            return ValidatedImage(
                scope: try Self.scope(name: name, namespace: namespace, source: source, caller: caller),
                driver: try Driver(parsing: driver), location: try ImageLocation(location),
                sha256: try SHA256Digest(hex: sha256), size: size)
        }
    }

    /// Where a new image goes: a base image (`source` "base"), a namespace
    /// (`path` or `path@owner`) or the caller's personal images.
    static func scope(name: String, namespace: String?, source: String?, caller: Caller) throws(NameError) -> ImageScope {
        switch try ImageSource(parsing: source ?? ImageSource.custom.rawValue) {
        case .base:
            guard namespace == nil else {
                throw NameError(field: "namespace", message: "a base image belongs to no namespace")
            }
            return .base(try BaseImageName(name, field: "name"))
        case .custom:
            let imageName = try ImageName(name)
            guard let namespace else { return .personal(caller.username, imageName) }
            return .namespace(try NamespaceReference(parsing: namespace, defaultOwner: caller.username), imageName)
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
