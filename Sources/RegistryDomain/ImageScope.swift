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

    /// The `image-created` data for a new version in this scope.
    public func created(
        imageID: UUID, driver: Driver, location: ImageLocation, sha256: SHA256Digest, size: Int64, verified: Bool
    ) -> ImageCreated {
        switch self {
        case .personal(let owner, let name):
            ImageCreated(imageID: imageID, source: .custom, owner: owner, namespace: nil, name: name.value,
                         driver: driver, location: location, sha256: sha256, size: size, verified: verified)
        case .namespace(let namespace, let name):
            ImageCreated(imageID: imageID, source: .custom, owner: namespace.owner, namespace: namespace.path,
                         name: name.value, driver: driver, location: location, sha256: sha256, size: size, verified: verified)
        case .base(let name):
            ImageCreated(imageID: imageID, source: .base, owner: nil, namespace: nil, name: name.value,
                         driver: driver, location: location, sha256: sha256, size: size, verified: verified)
        }
    }
}
