import Foundation
import RegistryAPI
import RegistryAuth
import RegistryDomain
import RegistryHTTP

extension RegisterImageRequest {
    /// The validated fields, for `caller`; 400 naming the broken rule.
    /// `blobLocation` names where the registry keeps the bytes of a digest,
    /// the location of a registration that names none.
    func validated(for caller: Caller, blobLocation: (SHA256Digest) -> ImageLocation) throws(APIError)
        -> ValidatedImage
    {
        try RegistryHTTP.validated { () throws(NameError) in
            guard size > 0 else { throw NameError(field: "size", message: "must be a positive number of bytes") }
            let digest = try SHA256Digest(hex: sha256)
            return ValidatedImage(
                scope: try Self.scope(name: name, namespace: namespace, source: source, caller: caller),
                driver: try Driver(parsing: driver), location: try location.map { text throws(NameError) in
                    try ImageLocation(text)
                } ?? blobLocation(digest),
                sha256: digest, size: size, verified: false)
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
            let reference = try NamespaceReference(parsing: namespace, defaultOwner: caller.username)
            try reference.path.checkUnreserved()
            return .namespace(reference, imageName)
        }
    }

    struct ValidatedImage {
        var scope: ImageScope
        var driver: Driver
        var location: ImageLocation
        var sha256: SHA256Digest
        var size: Int64
        /// Set by ``ImageWriteRules/verify(_:for:)`` once the registry has
        /// checked the bytes itself.
        var verified: Bool

        /// The `image-created` event that registers this image as `imageID`.
        func created(imageID: UUID) -> ImageCreated {
            scope.created(
                imageID: imageID, driver: driver, location: location, sha256: sha256, size: size, verified: verified)
        }
    }
}
