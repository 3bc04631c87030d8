import Foundation
import RegistryDomain

/// One entry of the audit trail (`GET /v1/audit`): `data` is the event's
/// own JSON; `rejected`, present only when the fold refused the event, says why.
public struct AuditEntryResource: Codable, Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var time: Date
    public var actor: String
    public var position: LogPosition
    public var requestID: String?
    public var data: JSONValue
    public var rejected: String?

    public init(
        id: UUID, type: String, time: Date, actor: String, position: LogPosition, requestID: String?, data: JSONValue,
        rejected: String?
    ) {
        self.id = id
        self.type = type
        self.time = time
        self.actor = actor
        self.position = position
        self.requestID = requestID
        self.data = data
        self.rejected = rejected
    }

    enum CodingKeys: String, CodingKey {
        case id, type, time, actor, position, data, rejected
        case requestID = "request_id"
    }
}
