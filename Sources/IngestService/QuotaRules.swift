import Foundation
import ReadModel
import RegistryAPI
import RegistryDomain
import RegistryHTTP

/// Whether a new version fits the quotas that cap it: its user's quota and
/// its tree's (base images have none). A refusal is `413 quota_exceeded`
/// with the quota and the usage in `error.details`.
struct QuotaRules: Sendable {
    let queries: any RegistryQueries

    /// The quotas that cap `scope`, with their usage now.
    func standings(of scope: ImageScope, excludingSession: UUID? = nil) async throws -> [QuotaStanding] {
        let owner: Username
        let root: NamespacePath?
        switch scope {
        case .base: return []
        case .personal(let user, _): (owner, root) = (user, nil)
        case .namespace(let namespace, _): (owner, root) = (namespace.owner, namespace.path.root)
        }
        var standings: [QuotaStanding] = []
        // One query finds whether any quota applies; usage is read only for those that do.
        for quota in try await queries.quotas(owner: owner, roots: root.map { [nil, $0] } ?? [nil]) {
            let usage = try await queries.usage(owner: owner, root: quota.root, excludingSession: excludingSession)
            standings.append(QuotaStanding(quota: quota, usage: usage))
        }
        return standings
    }

    /// Refuses one more version of `bytes` bytes (with `digest` when known:
    /// bytes a scope already stores cost it nothing) where a quota would be passed.
    func admit(_ scope: ImageScope, bytes: Int64, digest: SHA256Digest? = nil, excludingSession: UUID? = nil)
        async throws
    {
        try await admitAll([(scope, bytes, digest)], excludingSession: excludingSession)
    }

    /// Refuses versions that together pass a quota: each is counted as if
    /// those before it were stored (a batch of registrations).
    func admitAll(_ items: [(scope: ImageScope, bytes: Int64, digest: SHA256Digest?)], excludingSession: UUID? = nil)
        async throws
    {
        var standings: [String: QuotaStanding] = [:]
        var loaded: [String: [String]] = [:]
        var counted: [String: Set<SHA256Digest>] = [:]
        for item in items {
            let scopeKey = Self.key(of: item.scope)
            if loaded[scopeKey] == nil {
                let fresh = try await self.standings(of: item.scope, excludingSession: excludingSession)
                for standing in fresh where standings[Self.key(of: standing.quota)] == nil {
                    standings[Self.key(of: standing.quota)] = standing
                }
                loaded[scopeKey] = fresh.map { Self.key(of: $0.quota) }
            }
            for key in loaded[scopeKey] ?? [] {
                guard var standing = standings[key] else { continue }
                var added = item.bytes
                if let digest = item.digest {
                    if counted[key, default: []].contains(digest) {
                        added = 0
                    } else if try await queries.holds(digest, owner: standing.quota.owner, root: standing.quota.root) {
                        added = 0
                    }
                    counted[key, default: []].insert(digest)
                }
                if let reason = standing.refusal(adding: added) { throw Self.exceeded(reason, standing) }
                standing.usage.versions += 1
                standing.usage.physicalBytes += added
                standing.usage.logicalBytes += item.bytes
                standings[key] = standing
            }
        }
    }

    private static func key(of quota: QuotaSet) -> String { "\(quota.owner.value)\u{0}\(quota.root?.value ?? "")" }

    private static func key(of scope: ImageScope) -> String {
        switch scope {
        case .base: "@base"
        case .personal(let owner, _): "\(owner.value)\u{0}"
        case .namespace(let namespace, _): "\(namespace.owner.value)\u{0}\(namespace.path.root.value)"
        }
    }

    /// Refuses an upload into `scope` whose declared size (if any) does not
    /// fit, and returns the most bytes it may bring with the quota that
    /// allows the fewest; `nil` without a byte quota. One read of the quotas.
    func admitUpload(into scope: ImageScope, declaring bytes: Int64?) async throws -> (Int64, QuotaStanding)? {
        let standings = try await standings(of: scope)
        for standing in standings {
            if let reason = standing.refusal(adding: bytes ?? 0) { throw Self.exceeded(reason, standing) }
        }
        return standings.compactMap { standing in standing.remainingBytes.map { ($0, standing) } }.min { $0.0 < $1.0 }
    }

    /// The `413` of a quota, with what it allows and what is stored.
    static func exceeded(_ reason: String, _ standing: QuotaStanding) -> APIError {
        let quota = standing.quota
        let usage = standing.usage
        var limits: [String: JSONValue] = ["owner": .string(quota.owner.value)]
        if let root = quota.root { limits["namespace"] = .string("\(root.value)@\(quota.owner.value)") }
        if let maxBytes = quota.maxBytes { limits["max_bytes"] = .integer(maxBytes) }
        if let maxVersions = quota.maxVersions { limits["max_versions"] = .integer(Int64(maxVersions)) }
        return APIError(
            status: .contentTooLarge, code: "quota_exceeded", message: "quota exceeded: \(reason)",
            details: .object([
                "quota": .object(limits),
                "usage": (try? RegistryJSON.decoder().decode(
                    JSONValue.self, from: RegistryJSON.encoder().encode(usage))) ?? .null,
            ]))
    }
}
