import Foundation
import RegistryDomain

/// A record the projection could not apply (`GET /v1/admin/dead-letters`).
/// Key, header names and values and the value are base64 of the record's
/// bytes: they may hold anything, NUL and invalid UTF-8 included, which
/// JSON text cannot.
public struct DeadLetterResource: Codable, Sendable, Equatable {
    public struct Header: Codable, Sendable, Equatable {
        public let name: String
        public let value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public let position: LogPosition
    public let key: String
    public let headers: [Header]
    public let value: String
    public let reason: String
    public let recordedAt: Date

    public init(position: LogPosition, key: String, headers: [Header], value: String, reason: String, recordedAt: Date) {
        self.position = position
        self.key = key
        self.headers = headers
        self.value = value
        self.reason = reason
        self.recordedAt = recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case position, key, headers, value, reason
        case recordedAt = "recorded_at"
    }
}
