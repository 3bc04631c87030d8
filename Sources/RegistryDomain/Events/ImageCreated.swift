import Foundation

/// Data of an `image-created` event: a QCOW2 file became an image version.
///
/// A custom image has an owner and, optionally, a namespace in that owner's
/// tree (created on the fly, private, when missing). A base image has
/// neither. The version number is not part of the event: the projection
/// counts versions in log order, which is the same on every replay.
public struct ImageCreated: Codable, Sendable, Equatable {
    public var imageID: UUID
    public var source: ImageSource
    public var owner: Username?
    public var namespace: NamespacePath?
    public var name: String
    public var driver: Driver
    public var location: ImageLocation
    public var sha256: SHA256Digest
    public var size: Int64
    /// True when the registry hashed and checked the bytes itself (an
    /// upload, a blob it holds, a file it read); false for a location an
    /// administrator registered on trust. Events written before this field
    /// existed read as false: nothing recorded that they were verified.
    public var verified: Bool
    /// The import that downloaded the bytes, when an import did.
    public var importID: UUID?

    public init(
        imageID: UUID, source: ImageSource, owner: Username?, namespace: NamespacePath?, name: String,
        driver: Driver, location: ImageLocation, sha256: SHA256Digest, size: Int64, verified: Bool = false, importID: UUID? = nil
    ) {
        self.imageID = imageID
        self.source = source
        self.owner = owner
        self.namespace = namespace
        self.name = name
        self.driver = driver
        self.location = location
        self.sha256 = sha256
        self.size = size
        self.verified = verified
        self.importID = importID
    }

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id"
        case importID = "import_id"
        case source, owner, namespace, name, driver, location, sha256, size, verified
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            imageID: try container.decode(UUID.self, forKey: .imageID),
            source: try container.decode(ImageSource.self, forKey: .source),
            owner: try container.decodeIfPresent(Username.self, forKey: .owner),
            namespace: try container.decodeIfPresent(NamespacePath.self, forKey: .namespace),
            name: try container.decode(String.self, forKey: .name),
            driver: try container.decode(Driver.self, forKey: .driver),
            location: try container.decode(ImageLocation.self, forKey: .location),
            sha256: try container.decode(SHA256Digest.self, forKey: .sha256),
            size: try container.decode(Int64.self, forKey: .size),
            verified: try container.decodeIfPresent(Bool.self, forKey: .verified) ?? false,
            importID: try container.decodeIfPresent(UUID.self, forKey: .importID))
    }

    /// Checks the rules an event must meet to be applied: a custom image has
    /// an owner and a custom name; a base image has a base name, no owner and
    /// no namespace; the size is positive.
    public func validate() throws(NameError) {
        _ = try ImageScope(source: source, owner: owner, namespace: namespace, name: name)
        guard size > 0 else { throw NameError(field: "size", message: "must be a positive number of bytes") }
    }
}
