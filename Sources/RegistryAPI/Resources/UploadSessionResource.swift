import Foundation

/// A resumable upload session, as the API shows it: where to send the next
/// chunk (`offset`) and until when the session is kept without one.
public struct UploadSessionResource: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// `path@owner`, when the image goes to a namespace.
    public var namespace: String?
    public var owner: String?
    public var source: String
    /// Bytes stored so far: the next chunk starts at this offset.
    public var offset: Int64
    public var size: Int64?
    public var sha256: String?
    /// The session's URL: `PATCH` chunks to it, `PUT ?digest=` completes it.
    public var location: String
    public var createdAt: Date
    public var expiresAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, namespace, owner, source, offset, size, sha256, location
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }

    public init(
        id: UUID, name: String, namespace: String?, owner: String?, source: String, offset: Int64, size: Int64?,
        sha256: String?, location: String, createdAt: Date, expiresAt: Date
    ) {
        self.id = id
        self.name = name
        self.namespace = namespace
        self.owner = owner
        self.source = source
        self.offset = offset
        self.size = size
        self.sha256 = sha256
        self.location = location
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
