import Foundation
import RegistryDomain

/// A namespace as the API shows it.
public struct NamespaceResource: Codable, Sendable, Equatable {
    public var path: String
    public var owner: String
    /// The canonical reference, `path@owner`.
    public var reference: String
    public var visibility: Visibility
    /// Empty when the owner gave none.
    public var description: String
    /// Whether a by-name lookup whose newest version is revoked gets the newest one that is not.
    public var revokedFallback: Bool
    /// The retention policy, when the namespace has one.
    public var retention: RetentionPolicy?
    public var createdAt: Date
    /// The root's collaborators; shown only to those who may manage them.
    public var collaborators: [String]?

    enum CodingKeys: String, CodingKey {
        case path, owner, reference, visibility, description, collaborators, retention
        case createdAt = "created_at"
        case revokedFallback = "revoked_fallback"
    }

    public init(
        path: String, owner: String, reference: String, visibility: Visibility, description: String = "",
        revokedFallback: Bool = false, retention: RetentionPolicy? = nil, createdAt: Date, collaborators: [String]?
    ) {
        self.path = path
        self.owner = owner
        self.reference = reference
        self.visibility = visibility
        self.description = description
        self.revokedFallback = revokedFallback
        self.retention = retention
        self.createdAt = createdAt
        self.collaborators = collaborators
    }
}
