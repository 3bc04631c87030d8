import RegistryDomain

/// The namespaces of the read model and their collaborators.
public protocol NamespaceRepository: Sendable {
    /// One namespace.
    func namespace(_ reference: NamespaceReference) async throws -> NamespaceRecord?

    /// The facts access rules need about a namespace: owner, visibility and
    /// the collaborators of its root; `nil` when it does not exist.
    func namespaceAccess(_ reference: NamespaceReference) async throws -> NamespaceAccess?

    /// Namespaces `viewer` may see, by owner and path.
    func namespaces(_ filter: NamespaceListFilter, viewer: Viewer) async throws -> [NamespaceRecord]
}
