import Foundation
import ReadModel
import RegistryDomain

/// A namespace as the API shows it.
public struct NamespaceResource: Codable, Sendable, Equatable {
    public var path: String
    public var owner: String
    /// The canonical reference, `path@owner`.
    public var reference: String
    public var visibility: Visibility
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case path, owner, reference, visibility
        case createdAt = "created_at"
    }

    public init(_ record: NamespaceRecord) {
        path = record.path
        owner = record.owner
        reference = "\(record.path)@\(record.owner)"
        visibility = record.visibility
        createdAt = record.createdAt
    }
}
