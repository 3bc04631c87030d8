import Foundation
import RegistryDomain

/// A quota and what its scope stores (`GET /v1/quotas`, `PUT /v1/quotas`).
public struct QuotaResource: Codable, Sendable, Equatable {
    public var owner: String
    /// `root@owner` for a tree's quota; `nil` for the user's.
    public var namespace: String?
    public var maxBytes: Int64?
    public var maxVersions: Int?
    public var usage: QuotaUsage

    public init(owner: String, namespace: String?, maxBytes: Int64?, maxVersions: Int?, usage: QuotaUsage) {
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
