import Foundation

/// Data of an `image-resolved` event: what a build asked for and exactly
/// which image version it got, or that nothing was found.
public struct ImageResolved: Codable, Sendable, Equatable {
    public var buildID: String
    public var user: Username
    /// The build's namespace, as `path@owner`.
    public var namespace: String?
    public var image: String
    public var driver: Driver
    /// The version the build got; `nil` when nothing was found.
    public var resolution: Resolution?
    /// Why the build was refused the version it found (it was revoked);
    /// `nil` when the build got it.
    public var refusal: String?

    public init(
        buildID: String, user: Username, namespace: String?, image: String, driver: Driver, resolution: Resolution?,
        refusal: String? = nil
    ) {
        self.buildID = buildID
        self.user = user
        self.namespace = namespace
        self.image = image
        self.driver = driver
        self.resolution = resolution
        self.refusal = refusal
    }

    enum CodingKeys: String, CodingKey {
        case buildID = "build_id"
        case user, namespace, image, driver, resolution
        case refusal = "refused"
    }
}

/// The answer to a resolution: one stored image version and where it lives.
public struct Resolution: Codable, Sendable, Equatable {
    public var imageID: UUID
    public var name: String
    /// The image's namespace as `path@owner`, or `nil`.
    public var namespace: String?
    public var source: ImageSource
    public var version: Int
    public var sha256: SHA256Digest
    public var size: Int64
    public var location: ImageLocation
    /// Whether the registry verified the bytes (see ``ImageCreated/verified``);
    /// `nil` in resolutions recorded before this was known.
    public var verified: Bool?
    /// The version's retirement notice, when it has one: the build still
    /// gets it, with a warning, and the audit trail records that it did.
    public var deprecation: Deprecation?
    /// The version's revocation, when it has one; once in effect, the build
    /// is refused (`410 Gone`) and the audit trail records the refusal.
    public var revocation: Revocation?

    public init(
        imageID: UUID, name: String, namespace: String?, source: ImageSource, version: Int,
        sha256: SHA256Digest, size: Int64, location: ImageLocation, verified: Bool?,
        deprecation: Deprecation? = nil, revocation: Revocation? = nil
    ) {
        self.imageID = imageID
        self.name = name
        self.namespace = namespace
        self.source = source
        self.version = version
        self.sha256 = sha256
        self.size = size
        self.location = location
        self.verified = verified
        self.deprecation = deprecation
        self.revocation = revocation
    }

    /// The revocation if it is in effect at `now`: the build is refused.
    public func refusal(at now: Date = Date()) -> Revocation? {
        revocation.flatMap { $0.isEffective(at: now) ? $0 : nil }
    }

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id"
        case name, namespace, source, version, sha256, size, location, verified, deprecation, revocation
    }
}
