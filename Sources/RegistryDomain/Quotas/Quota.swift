import Foundation

/// Data of a `quota-set` event: an administrator caps what `owner` may
/// store, in the tree of the root namespace `root` or (without one) in
/// everything the user owns, personal images included. Both limits absent
/// removes the quota.
public struct QuotaSet: Codable, Sendable, Equatable {
    /// The largest limit accepted: 1 PiB, 10 million versions.
    public static let largestBytes: Int64 = 1 << 50
    public static let largestVersions = 10_000_000

    public var owner: Username
    /// A root namespace (`team`, never `team/infra`); `nil` for the user.
    public var root: NamespacePath?
    /// Bytes of distinct stored digests (physical usage).
    public var maxBytes: Int64?
    /// Live versions.
    public var maxVersions: Int?

    public init(owner: Username, root: NamespacePath?, maxBytes: Int64?, maxVersions: Int?) {
        self.owner = owner
        self.root = root
        self.maxBytes = maxBytes
        self.maxVersions = maxVersions
    }

    /// Checks what decoding cannot: a root, not a child; limits in range.
    public func validate() throws(NameError) {
        if let root, root.parent != nil {
            throw NameError(field: "namespace", message: "a quota covers a root namespace's tree; name the root \(root.root.value)")
        }
        if let maxBytes, !(0...Self.largestBytes).contains(maxBytes) {
            throw NameError(field: "max_bytes", message: "must be from 0 to \(Self.largestBytes)")
        }
        if let maxVersions, !(0...Self.largestVersions).contains(maxVersions) {
            throw NameError(field: "max_versions", message: "must be from 0 to \(Self.largestVersions)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case owner, root
        case maxBytes = "max_bytes"
        case maxVersions = "max_versions"
    }
}

/// What a scope (a tree or a user) stores now, as `GET /v1/quotas` shows it.
extension QuotaSet {
    /// What the quota caps, in words: `the tree of path@owner` or `user name`.
    public var scopeDescription: String {
        root.map { "the tree of \($0.value)@\(owner.value)" } ?? "user \(owner.value)"
    }
}

public struct QuotaUsage: Codable, Sendable, Equatable {
    /// The sizes of every live version, a digest counted as often as versions name it.
    public var logicalBytes: Int64
    /// The sizes of the distinct digests live versions name: what the quota counts.
    public var physicalBytes: Int64
    public var versions: Int
    /// Bytes open upload sessions declared (or, without a declared size, hold so far).
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

/// One quota with its usage, and the rule that decides whether more fits.
public struct QuotaStanding: Sendable, Equatable {
    public var quota: QuotaSet
    public var usage: QuotaUsage

    public init(quota: QuotaSet, usage: QuotaUsage) {
        self.quota = quota
        self.usage = usage
    }

    /// How many more bytes fit, in flight included; `nil` without a byte limit.
    public var remainingBytes: Int64? {
        quota.maxBytes.map { max(0, $0 - usage.physicalBytes - usage.inFlightBytes) }
    }

    /// Why one more version of `bytes` new bytes does not fit; `nil` when it does.
    public func refusal(adding bytes: Int64) -> String? {
        let scope = quota.scopeDescription
        if let maxVersions = quota.maxVersions, usage.versions + 1 > maxVersions {
            return "\(scope) may hold at most \(maxVersions) versions and holds \(usage.versions)"
        }
        if let maxBytes = quota.maxBytes, usage.physicalBytes + usage.inFlightBytes + bytes > maxBytes {
            return "\(scope) may store at most \(maxBytes) bytes; it stores \(usage.physicalBytes) "
                + "(\(usage.inFlightBytes) more in open uploads) and this adds \(bytes)"
        }
        return nil
    }
}
