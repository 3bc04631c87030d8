import RegistryDomain

/// What retention policies are decided on.
public protocol RetentionRepository: Sendable {
    /// Every live version `target` covers (a namespace alone, not those
    /// below it, or a user's personal images), with when builds last
    /// resolved and pinned it.
    func retentionCandidates(in target: RetentionTarget) async throws -> [RetentionCandidate]
}
