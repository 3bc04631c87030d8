import Foundation
import RegistryDomain

/// Quotas and what they count.
public protocol QuotaRepository: Sendable {
    /// The quotas set on `owner`'s trees of `roots` (a `nil` root: on the
    /// user), in one round trip; scopes without a quota are left out.
    func quotas(owner: Username, roots: [NamespacePath?]) async throws -> [QuotaSet]

    /// What the scope stores now: `owner`'s tree of `root`, or (`nil`)
    /// everything the user owns. Open upload sessions count in flight,
    /// except `excludingSession` (the one completing).
    func usage(owner: Username, root: NamespacePath?, excludingSession: UUID?) async throws -> QuotaUsage

    /// Whether a live version in the scope already names `digest` (its bytes cost nothing more there).
    func holds(_ digest: SHA256Digest, owner: Username, root: NamespacePath?) async throws -> Bool
}
