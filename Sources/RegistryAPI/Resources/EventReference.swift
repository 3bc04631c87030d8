import Foundation
import RegistryDomain

/// The `event` object of an ingest answer: which event was recorded and where.
public struct EventReference: Codable, Sendable, Equatable {
    public var id: UUID
    public var type: EventType
    public var position: LogPosition

    public init(id: UUID, type: EventType, position: LogPosition) {
        self.id = id
        self.type = type
        self.position = position
    }
}
