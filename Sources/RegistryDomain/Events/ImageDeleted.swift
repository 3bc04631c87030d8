import Foundation

/// Data of an `image-deleted` event: one image version no longer resolves.
/// Its row and its history stay, for the audit trail.
public struct ImageDeleted: Codable, Sendable, Equatable {
    public var imageID: UUID
    /// Why, when a rule rather than a person chose it (a retention policy).
    public var reason: String?

    public init(imageID: UUID, reason: String? = nil) {
        self.imageID = imageID
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id"
        case reason
    }
}
