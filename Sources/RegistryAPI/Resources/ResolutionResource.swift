import Foundation
import RegistryDomain

/// The answer of `GET /v1/resolve` (and, with an `event`, of `POST /v1/resolutions`).
public struct ResolutionResource: Codable, Sendable, Equatable {
    public var imageID: UUID
    public var name: String
    public var namespace: String?
    public var source: ImageSource
    public var sha256: String
    public var size: Int64
    public var location: String
    public var version: Int
    /// False when the registry never checked the bytes at `location`.
    public var verified: Bool
    /// Set when the version is deprecated: the build may boot it, but should move on.
    public var deprecation: Deprecation?
    /// Set when the version's revocation is scheduled (a resolution of a
    /// version whose revocation is in effect answers `410` instead).
    public var revocation: Revocation?
    public var event: EventReference?

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id"
        case name, namespace, source, sha256, size, location, version, verified, deprecation, revocation, event
    }

    public init(_ resolution: Resolution, event: EventReference? = nil) {
        imageID = resolution.imageID
        name = resolution.name
        namespace = resolution.namespace
        source = resolution.source
        sha256 = resolution.sha256.hex
        size = resolution.size
        location = resolution.location.value
        version = resolution.version
        verified = resolution.verified ?? false
        deprecation = resolution.deprecation
        revocation = resolution.revocation
        self.event = event
    }
}
