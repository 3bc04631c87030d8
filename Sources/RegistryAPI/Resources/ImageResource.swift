import Foundation
import RegistryDomain

/// An image version as the API shows it.
public struct ImageResource: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// `path@owner`, or `nil` for personal and base images.
    public var namespace: String?
    public var owner: String?
    public var source: ImageSource
    public var driver: String
    public var version: Int
    public var sha256: String
    public var size: Int64
    public var location: String
    public var createdAt: Date
    /// Who uploaded or registered the version (for an import: who asked for it).
    public var createdBy: String?
    public var deletedAt: Date?
    /// False for a location an administrator registered without the registry checking its bytes.
    public var verified: Bool
    /// Set while the version is deprecated: it resolves, with a warning.
    public var deprecation: Deprecation?
    /// Set once the version is revoked (or its revocation is scheduled).
    public var revocation: Revocation?

    enum CodingKeys: String, CodingKey {
        case id, name, namespace, owner, source, driver, version, sha256, size, location, verified, deprecation, revocation
        case createdAt = "created_at"
        case createdBy = "created_by"
        case deletedAt = "deleted_at"
    }

    public init(
        id: UUID, name: String, namespace: String?, owner: String?, source: ImageSource, driver: String, version: Int,
        sha256: String, size: Int64, location: String, createdAt: Date, createdBy: String? = nil, deletedAt: Date?,
        verified: Bool, deprecation: Deprecation? = nil, revocation: Revocation? = nil
    ) {
        self.id = id
        self.name = name
        self.namespace = namespace
        self.owner = owner
        self.source = source
        self.driver = driver
        self.version = version
        self.sha256 = sha256
        self.size = size
        self.location = location
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.deletedAt = deletedAt
        self.verified = verified
        self.deprecation = deprecation
        self.revocation = revocation
    }

}
