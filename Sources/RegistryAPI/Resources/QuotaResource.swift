import Foundation

/// A quota and what its scope stores (`GET /v1/quotas`, `PUT /v1/quotas`).
public struct QuotaResource: Codable, Sendable, Equatable {
    public struct Usage: Codable, Sendable, Equatable {
        /// Every live version's size, a digest counted as often as versions name it.
        public var logicalBytes: Int64
        /// The distinct digests' sizes: what `max_bytes` counts.
        public var physicalBytes: Int64
        public var versions: Int
        /// What open upload sessions declared or hold so far.
        public var inFlightBytes: Int64

        public init(logicalBytes: Int64, physicalBytes: Int64, versions: Int, inFlightBytes: Int64) {
            self.logicalBytes = logicalBytes
            self.physicalBytes = physicalBytes
            self.versions = versions
            self.inFlightBytes = inFlightBytes
        }

        enum CodingKeys: String, CodingKey {
            case logicalBytes = "logical_bytes"
            case physicalBytes = "physical_bytes"
            case versions
            case inFlightBytes = "in_flight_bytes"
        }
    }

    public var owner: String
    /// `root@owner` for a tree's quota; `nil` for the user's.
    public var namespace: String?
    public var maxBytes: Int64?
    public var maxVersions: Int?
    public var usage: Usage

    public init(owner: String, namespace: String?, maxBytes: Int64?, maxVersions: Int?, usage: Usage) {
        self.owner = owner
        self.namespace = namespace
        self.maxBytes = maxBytes
        self.maxVersions = maxVersions
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey {
        case owner, namespace, usage
        case maxBytes = "max_bytes"
        case maxVersions = "max_versions"
    }
}

/// Body of `PUT /v1/quotas?namespace=root@owner` (or `?user=name`):
/// `{"max_bytes"?, "max_versions"?}`; neither removes the quota.
public struct SetQuotaRequest: Codable, Sendable, Equatable {
    public var maxBytes: Int64?
    public var maxVersions: Int?

    public init(maxBytes: Int64? = nil, maxVersions: Int? = nil) {
        self.maxBytes = maxBytes
        self.maxVersions = maxVersions
    }

    enum CodingKeys: String, CodingKey {
        case maxBytes = "max_bytes"
        case maxVersions = "max_versions"
    }
}
