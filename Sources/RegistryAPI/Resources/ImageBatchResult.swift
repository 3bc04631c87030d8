import Foundation

/// The answer of `POST /v1/images/batch`: each registration in order.
public struct ImageBatchResult: Codable, Sendable, Equatable {
    /// One registration: the image id and the event that recorded it. When
    /// the bytes already were the newest version of the name, the fold
    /// makes no new version and no image takes the id.
    public struct Registered: Codable, Sendable, Equatable {
        public let imageID: UUID
        public let event: EventReference

        public init(imageID: UUID, event: EventReference) {
            self.imageID = imageID
            self.event = event
        }

        enum CodingKeys: String, CodingKey {
            case imageID = "image_id"
            case event
        }
    }

    public let images: [Registered]

    public init(images: [Registered]) {
        self.images = images
    }
}
