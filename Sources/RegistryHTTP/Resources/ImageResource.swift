import Foundation
import ReadModel
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
    public var deletedAt: Date?
    /// False for a location an administrator registered without the registry checking its bytes.
    public var verified: Bool

    enum CodingKeys: String, CodingKey {
        case id, name, namespace, owner, source, driver, version, sha256, size, location, verified
        case createdAt = "created_at"
        case deletedAt = "deleted_at"
    }

    public init(_ record: ImageRecord) {
        id = record.id
        name = record.name
        namespace = record.namespace?.description
        owner = record.owner?.value
        source = record.source
        driver = record.driver.rawValue
        version = record.version
        sha256 = record.sha256.hex
        size = record.size
        location = record.location.value
        createdAt = record.createdAt
        deletedAt = record.deletedAt
        verified = record.verified
    }
}
