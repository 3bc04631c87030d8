import RegistryDomain

/// What retention policies are decided on.
public protocol RetentionRepository: Sendable {
    /// Every live version in `namespace` (that namespace alone, not those
    /// below it), with when builds last resolved and pinned it.
    func retentionCandidates(in namespace: NamespaceReference) async throws -> [RetentionCandidate]
}
