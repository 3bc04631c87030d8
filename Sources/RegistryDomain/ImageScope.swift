import Foundation

/// Where an image name lives: a user's personal images, one namespace, or
/// the base images. Versions of a name are counted within its scope.
public enum ImageScope: Sendable, Hashable {
    case personal(Username, ImageName)
    case namespace(NamespaceReference, ImageName)
    case base(BaseImageName)

    /// The user whose events keep this scope in order (the partition key).
    public var subject: String {
        switch self {
        case .personal(let owner, _): owner.value
        case .namespace(let namespace, _): namespace.owner.value
        case .base: EventEnvelope.baseImagesKey
        }
    }

    /// The `image-created` data for a new version in this scope; `importID`
    /// names the import that downloaded it.
    public func created(
        imageID: UUID, driver: Driver, location: ImageLocation, sha256: SHA256Digest, size: Int64, verified: Bool,
        importID: UUID? = nil
    ) -> ImageCreated {
        let (source, owner, namespace, name) = fields
        return ImageCreated(
            imageID: imageID, source: source, owner: owner, namespace: namespace, name: name, driver: driver,
            location: location, sha256: sha256, size: size, verified: verified, importID: importID)
    }
}
