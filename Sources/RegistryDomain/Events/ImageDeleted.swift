import Foundation

/// Data of an `image-deleted` event: one image version no longer resolves.
/// Its row and its history stay, for the audit trail.
public struct ImageDeleted: Codable, Sendable, Equatable {
    public var imageID: UUID

    public init(imageID: UUID) {
        self.imageID = imageID
    }

    enum CodingKeys: String, CodingKey {
        case imageID = "image_id"
    }
}
